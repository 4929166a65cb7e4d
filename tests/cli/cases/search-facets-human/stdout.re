^RTF/integrated-care-community-nursing  
^area: .*integrated-care-training \([1-9][0-9]*\)
^provider: .*RTF \([1-9][0-9]*\)
^delivery: .*blended \([1-9][0-9]*\)
^tag: .*nursing \([1-9][0-9]*\)

^RTF/integrated-care-community-nursing  

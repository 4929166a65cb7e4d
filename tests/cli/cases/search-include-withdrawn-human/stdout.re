^RTF/wound-care-pilot  Wound care pilot for community nurses  \[withdrawn\]$

^RTF/integrated-care-community-nursing  
integrated-care-training

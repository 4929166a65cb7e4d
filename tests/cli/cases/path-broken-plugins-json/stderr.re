abi-minor\.so refused

\Ausage: fgcat import
--help

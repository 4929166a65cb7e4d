\Ausage: fgcat show
--help

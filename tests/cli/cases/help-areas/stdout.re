\Ausage: fgcat areas
--help

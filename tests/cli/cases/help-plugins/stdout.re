\Ausage: fgcat plugins
--help

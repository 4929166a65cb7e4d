\Ausage: fgcat export
--help

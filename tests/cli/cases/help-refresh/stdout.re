\Ausage: fgcat refresh
--help

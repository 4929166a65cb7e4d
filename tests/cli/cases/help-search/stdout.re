\Ausage: fgcat search
--help

\Ausage: fgcat search

\Ausage: fgcat plugins
plugins check FILE\.so

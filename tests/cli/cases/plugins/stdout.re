^clinical-effectiveness +\S+ +ABI 1\.1 +loaded +{PLUGINS}/clinical-effectiveness\.so$
^health-planning +\S+ +ABI 1\.1 +loaded +{PLUGINS}/health-planning\.so$
^integrated-care-training +\S+ +ABI 1\.1 +loaded +{PLUGINS}/integrated-care-training\.so$
^productivity +\S+ +ABI 1\.1 +loaded +{PLUGINS}/productivity\.so$

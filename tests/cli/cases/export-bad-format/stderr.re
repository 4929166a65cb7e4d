^fgcat: export: --format must be json, csv or fhir, not 'xml'

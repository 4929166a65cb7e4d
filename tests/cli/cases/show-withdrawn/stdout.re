^status: +withdrawn since \d{4}-\d\d-\d\dT

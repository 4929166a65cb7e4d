^fgcat: search: no service area 'no-such-area'; the areas are: clinical-effectiveness, health-planning, integrated-care-training, productivity 

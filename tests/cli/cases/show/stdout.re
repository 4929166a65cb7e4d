\ARTF/integrated-care-community-nursing\nIntegrated care for community nursing teams\n\n
^area: +integrated-care-training$
^provider: +Northumbria Healthcare NHS Foundation Trust \(RTF\)$
^delivery: +blended$
^duration: +10 days$
^capacity: +4 at a time$
^price: +£1,850\.00 per-delegate$
^regions: +England, International, China$
^tags: +nursing, community, 
^attributes:$
^  Minimum cohort size \(cohort_min\): 8 delegates$
^  Maximum cohort size \(cohort_max\): 24 delegates$
^  Teaching language \(language\): en-GB$
^  Train the trainer \(train_the_trainer\): no$
^status: +active$
^rev: +1, updated \d{4}-\d\d-\d\dT

^RTF/integrated-care-community-nursing  Integrated care for community nursing teams$
^    integrated-care-training · Northumbria Healthcare NHS Foundation Trust · blended · £1,850\.00 per-delegate$
!withdrawn

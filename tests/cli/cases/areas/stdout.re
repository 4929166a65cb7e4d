^AREA +PLUGIN +ACTIVE +WITHDRAWN$
^clinical-effectiveness +clinical-effectiveness +[1-9][0-9]* +0$
^health-planning +health-planning +[1-9][0-9]* +0$
^integrated-care-training +integrated-care-training +[1-9][0-9]* +0$
^productivity +productivity +[1-9][0-9]* +0$
\A([^\n]*\n){5}\Z

^AREA +PLUGIN +ACTIVE +WITHDRAWN +LABEL$
^clinical-effectiveness +clinical-effectiveness +[1-9][0-9]* +0 +Clinical effectiveness$
^health-planning +health-planning +[1-9][0-9]* +0 +Health planning$
^integrated-care-training +integrated-care-training +[1-9][0-9]* +0 +Integrated-care training$
^productivity +productivity +[1-9][0-9]* +0 +Productivity$
\A([^\n]*\n){5}\Z

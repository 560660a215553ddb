"""Make the brief: compose it from stories, import published briefs, render it for every outlet."""

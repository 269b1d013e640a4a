"""What several features' views share: the theme, how a tier and a permit look, times and spans in words,
keyed tables, plain and elided text, text dialogs, the hazard-override confirmation. Never imports a feature."""

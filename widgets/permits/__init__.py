"""The permit list, the permit card and the gas test dialog."""

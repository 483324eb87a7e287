"""The quarterly monitoring report (BD §11(ক)): sections, charts and renderers."""

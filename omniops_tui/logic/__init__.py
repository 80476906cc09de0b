"""Pure rules over state and data: the metric catalogue, rollback criteria, the decision tree."""

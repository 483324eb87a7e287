"""Training the shipped classifiers: data sets, the pipeline and the model card."""

//! Runs the pipeline.

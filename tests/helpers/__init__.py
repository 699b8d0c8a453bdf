"""What several test modules share: assertions, hypothesis strategies, fake result files, tiny data."""

"""PyTorch modules used by the chapters."""

"""From-scratch NumPy implementations, each module named for its concept and tested against PyTorch."""

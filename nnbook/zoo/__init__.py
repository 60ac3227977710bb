"""The network zoo: node diagrams of 27 architectures and small from-scratch examples of those the
book does not teach in a chapter of their own."""

"""Split table cells that arrive glued together without separators, using the 勾稽关系 as constraints."""

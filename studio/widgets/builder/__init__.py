"""The network builder's parts: pure layout geometry and the scene items that draw it."""

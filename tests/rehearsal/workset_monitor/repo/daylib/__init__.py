"""daylib: the workset monitor of the daylily pipeline (the rehearsal's stand-in of it).

State lives in a DynamoDB table (one item per workset, a GSI on state and priority); alerts go
out through SNS. The API server in `workset_api` serves both over HTTP.
"""

__version__ = "0.7.0"

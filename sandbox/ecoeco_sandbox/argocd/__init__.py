"""The real Argo CD in the sandbox: its objects (``objects``), the Git repository it deploys from (``repository``)
and its controllers run as local processes (``controllers``)."""

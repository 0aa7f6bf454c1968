"""Services: every change of state goes through a function here, in a transaction.

Named `<entity>_<verb>`, keyword-only. The admin, the UI, the API, commands and Celery
tasks call these instead of saving models themselves.
"""

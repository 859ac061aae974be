"""The scoring service (`depthfake serve`): videos uploaded in a browser or through its JSON
API, scored in worker processes as `depthfake detect` scores them, each with its page.

`settings` lives in depthfake.settings.serve. `store` is the SQLite job store, `uploads`
receives a video (name, size limit, decodability), `workers` runs jobs in processes that die
with the service, `service` holds the bundles and the job operations, `access` the token,
session and cross-site rules, `pages` the upload and login pages, `app` the FastAPI routes,
`server` the command; `process` starts one in a child process and `browser_tour` visits it in
Chromium (tests, docs and the load benchmark use both). `errors` is the refusal they share.
"""

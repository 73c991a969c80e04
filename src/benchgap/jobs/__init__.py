"""The four jobs, one folder each with the same rooms: ``run.py`` (orchestration and files), ``checks.py`` (the
job's one validation place), ``page.py`` (report blocks and words), ``figures.py``; ``resume.py`` where a job
resumes. Jobs use the library; the library never imports a job, and no job imports another."""

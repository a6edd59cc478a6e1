"""Run calls at the same moment, each on its own thread and database connection."""
import threading


def race(*calls):
    """Run the calls at the same moment, each in its own thread (its own database connection)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            results[index] = call()
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

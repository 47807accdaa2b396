"""The embedded default's broker writes each message whole before a worker can take it, and a
worker passes over a message file that does not parse instead of dying."""

import os

from kombu import Connection

from builder.broker import Transport


def connection(folder) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "processed_folder": str(folder / "done"),
               "store_processed": True}  # fmt: skip
    (folder / "done").mkdir(exist_ok=True)
    return Connection("filesystem://", transport_options=options)


def test_filesystem_urls_take_the_atomic_transport(tmp_path):
    import builder.celery  # noqa: F401  (every process imports it: web, worker, beat)

    with connection(tmp_path) as conn:
        assert isinstance(conn.transport, Transport)


def test_an_empty_message_file_is_passed_over_and_the_next_message_arrives(tmp_path):
    import builder.celery  # noqa: F401

    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        # What a worker saw when it listed the folder between kombu's create and write.
        (tmp_path / "1_00000000-0000-0000-0000-000000000000.jobs.msg").write_bytes(b"")
        queue.put({"job": 7})
        assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]
        message = queue.get(timeout=5)
        assert message.payload == {"job": 7}
        message.ack()
        queue.close()


def test_messages_arrive_in_the_order_they_were_sent_also_those_sent_while_others_are_taken(tmp_path):
    import builder.celery  # noqa: F401

    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        for n in range(5):
            queue.put({"n": n})
        got = []
        for n in range(5, 8):
            message = queue.get(timeout=5)  # the folder was listed with 0..4 waiting
            got.append(message.payload["n"])
            message.ack()
            queue.put({"n": n})
        while len(got) < 8:
            message = queue.get(timeout=5)
            got.append(message.payload["n"])
            message.ack()
        assert got == list(range(8))
        queue.close()


def test_a_message_another_consumer_took_is_passed_over(tmp_path):
    import builder.celery  # noqa: F401

    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        for n in range(3):
            queue.put({"n": n})
        first = queue.get(timeout=5)  # lists all three
        first.ack()
        second = sorted(name for name in os.listdir(tmp_path) if name.endswith(".jobs.msg"))[0]
        os.remove(tmp_path / second)  # what a second worker's rename does
        message = queue.get(timeout=5)
        assert (first.payload, message.payload) == ({"n": 0}, {"n": 2})
        message.ack()
        queue.close()

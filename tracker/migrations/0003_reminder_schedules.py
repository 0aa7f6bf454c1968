"""Install the default periodic jobs in django-celery-beat's schedule (editable in the admin).

One schedule holds every periodic job; names are stable so this never adds a second copy,
and a schedule staff have since edited is left as it is.
"""

from django.db import migrations

TIMEZONE = "Asia/Shanghai"

CRONTAB_JOBS = [
    # (name, task, minute, hour, description)
    ("tracker: daily reminder sweep", "tracker.tasks.reminders_sweep_task", "30", "8",
     "每个工作日 08:30 发送催办/督办提醒汇总（非工作日自动跳过）。"),
    ("tracker: daily status refresh", "tracker.tasks.task_statuses_refresh_task", "5", "0",
     "每天 00:05 按当日重新计算任务红黄绿灯。"),
]
INTERVAL_JOBS = [
    ("tracker: retry unfinished reminder deliveries", "tracker.tasks.deliveries_flush_task",
     10, "每 10 分钟补发未完成的提醒消息（代理不可用、发送失败待重试、工作进程中断）。"),
]


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minute, hour, description in CRONTAB_JOBS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=TIMEZONE)
        PeriodicTask.objects.create(name=name, task=task, crontab=crontab,
                                    description=description)
    for name, task, minutes, description in INTERVAL_JOBS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.create(name=name, task=task, interval=interval,
                                    description=description)
    # Tell a running beat to reload its schedule (what PeriodicTasks.changed() does).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def uninstall(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = [job[0] for job in CRONTAB_JOBS] + [job[0] for job in INTERVAL_JOBS]
    PeriodicTask.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

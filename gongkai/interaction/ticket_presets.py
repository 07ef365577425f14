"""The time-limit presets Gongkai ships (issue 15), installed as data the
office can edit afterwards (DeadlinePreset, DeadlineRule; audited there).

seeds: the practice of the seed work plans (重庆黔江 2018: "办理群众咨询应在3个工作日答复，
投诉建议应在15个工作日内反馈"); 求助 with 咨询 (3) and 举报 with 投诉 (15), as the
local rule quoted in the domain notes groups them (咨询类和求助类 / 投诉举报类).
guangdong: 广东省12345政务服务便民热线管理办法 (2022): 咨询 2; 求助、建议 10; 投诉、举报 15."""

PRESETS = [
    ("seeds", "本地做法（咨询、求助3个工作日，投诉、举报、建议15个工作日）",
     "重庆市黔江区2018年政务公开工作要点：办理群众咨询应在3个工作日答复，投诉建议应在15个工作日内反馈。"
     "求助按咨询、举报按投诉的时限办理。", True,
     {"consult": 3, "help": 3, "complaint": 15, "report": 15, "suggestion": 15}),
    ("guangdong", "广东省12345热线（咨询2个工作日，求助、建议10个工作日，投诉、举报15个工作日）",
     "《广东省12345政务服务便民热线管理办法》（2022年9月1日起施行）：咨询类2个工作日；求助、建议类10个工作日；"
     "投诉、举报类15个工作日。", False,
     {"consult": 2, "help": 10, "complaint": 15, "report": 15, "suggestion": 10}),
]


def install(preset_model, rule_model) -> None:
    """Create the shipped presets and rules that are missing; what the office
    has changed stays as it is. Takes the models (a migration passes its
    historical ones)."""
    for name, title, basis, default, limits in PRESETS:
        preset, _created = preset_model.objects.get_or_create(
            name=name, defaults={"title": title, "basis": basis,
                                 "is_default": default and not preset_model.objects.filter(is_default=True).exists()})
        for ticket_type, workdays in limits.items():
            rule_model.objects.get_or_create(preset=preset, ticket_type=ticket_type, defaults={"workdays": workdays})

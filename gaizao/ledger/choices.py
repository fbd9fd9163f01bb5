from django.db import models
from django.utils.translation import gettext_lazy as _


class RenovationMode(models.TextChoices):
    DEMOLISH_REBUILD = "demolish_rebuild", _("拆除新建")
    UPGRADE = "upgrade", _("整治提升")
    MIXED = "mixed", _("拆整结合")


class LandType(models.TextChoices):
    COLLECTIVE = "collective", _("集体土地")
    STATE = "state", _("国有土地")


class HouseholdUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    NON_RESIDENTIAL = "non_residential", _("非住宅")
    MIXED = "mixed", _("混合")


class Stage(models.TextChoices):
    """A household's way from survey to resettlement (the funnel)."""

    REGISTERED = "registered", _("待调查")
    SURVEYED = "surveyed", _("入户调查")
    DECIDED = "decided", _("认定")
    VALUED = "valued", _("评估")
    DECISION = "decision", _("补偿决定")
    SIGNED = "signed", _("签约")
    VACATED = "vacated", _("腾空交房")
    DEMOLISHED = "demolished", _("拆除")
    RESETTLED = "resettled", _("安置")
    # The upgrade way (整治提升): the household keeps its buildings (domain README §2).
    AGREED = "agreed", _("同意整治")
    WORKS_STARTED = "works_started", _("开工")
    WORKS_ACCEPTED = "works_accepted", _("竣工验收")
    WITHDRAWN = "withdrawn", _("已撤出")


class Disposition(models.TextChoices):
    """What a village's plan does with a building (处置方式): demolish it or keep it (拆整结合 marks each)."""

    DEMOLISH = "demolish", _("拆除")
    KEEP = "keep", _("保留")


class Way(models.TextChoices):
    """A household's way (进度路径), from its village's mode and its buildings' dispositions."""

    DEMOLISH = "demolish", _("拆除安置")
    UPGRADE = "upgrade", _("整治提升")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Hukou(models.TextChoices):
    LOCAL_RURAL = "local_rural", _("本村农业户口")
    CONVERTED = "converted", _("农转居")
    LOCAL_URBAN = "local_urban", _("本地城镇户口")
    OUTSIDE = "outside", _("外地户口")


class Structure(models.TextChoices):
    """A building's structure (房屋结构); the office may add more (ledger.known, 可选值)."""

    BRICK_CONCRETE = "brick_concrete", _("砖混")
    FRAME = "frame", _("框架")
    BRICK_WOOD = "brick_wood", _("砖木")
    SIMPLE = "simple", _("简易")
    STEEL_CONCRETE = "steel_concrete", _("钢混")
    STEEL = "steel", _("钢结构")
    WOOD = "wood", _("木结构")
    EARTH_WOOD = "earth_wood", _("土木")
    STONE_WOOD = "stone_wood", _("石木")
    OTHER = "other", _("其他")


class KnownList(models.TextChoices):
    """The ledger's lists of values the office may extend (可选值)."""

    STRUCTURE = "structure", _("房屋结构")
    USE = "use", _("用途")


class Legality(models.TextChoices):
    LEGAL = "legal", _("合法")
    TEMPORARY = "temporary", _("未超期临时")
    ILLEGAL = "illegal", _("违法")
    PENDING = "pending", _("待认定")


class HeritageKind(models.TextChoices):
    """Historic and cultural features that renovation preserves (历史文化要素)."""

    ANCESTRAL_HALL = "ancestral_hall", _("祠堂")
    OLD_TREE = "old_tree", _("古树")
    HISTORIC_BUILDING = "historic_building", _("历史建筑")
    TRADITIONAL_STYLE = "traditional_style", _("传统风貌")
    OLD_WELL = "old_well", _("古井")
    ARCHWAY = "archway", _("牌坊")
    OTHER = "other", _("其他")


class ProtectionLevel(models.TextChoices):
    """The level at which a feature is protected (保护级别)."""

    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区级")
    UNRATED = "unrated", _("未定级")

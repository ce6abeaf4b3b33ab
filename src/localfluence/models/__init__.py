"""ORM models, one module per aggregate. Relationships are not used for loading: repositories
write their queries explicitly, so nothing walks an unfiltered collection by accident."""

from localfluence.models.body import AsyncConversion, ContentDigest, ContentLink, ContentMacro, ContentMention
from localfluence.models.content import Content, ContentAncestor, ContentVersion
from localfluence.models.inlinetask import InlineTask
from localfluence.models.label import ContentLabel, Label
from localfluence.models.people import ApiToken, Group, GroupMember, User
from localfluence.models.permission import ContentRestriction, SitePermission, SiteSetting, SpacePermission
from localfluence.models.space import Space
from localfluence.models.task import LongTask

__all__ = [
    "ApiToken",
    "AsyncConversion",
    "Content",
    "ContentAncestor",
    "ContentDigest",
    "ContentLabel",
    "ContentLink",
    "ContentMacro",
    "ContentMention",
    "ContentRestriction",
    "ContentVersion",
    "Group",
    "GroupMember",
    "InlineTask",
    "Label",
    "LongTask",
    "SitePermission",
    "SiteSetting",
    "Space",
    "SpacePermission",
    "User",
]

"""ORM models, one module per aggregate. Relationships are not used for loading: repositories
write their queries explicitly, so nothing walks an unfiltered collection by accident."""

from localfluence.models.attachment import AttachmentVersion, Blob
from localfluence.models.body import AsyncConversion, ContentDigest, ContentLink, ContentMacro, ContentMention
from localfluence.models.content import Content, ContentAncestor, ContentVersion
from localfluence.models.inlinetask import InlineTask
from localfluence.models.label import ContentLabel, Label
from localfluence.models.metadata import (
    CommentPlacement,
    ContentStateAssignment,
    ContentView,
    ContentWatch,
    CustomContentState,
    LabelWatch,
    Relation,
    SpaceLabel,
    SpaceWatch,
)
from localfluence.models.people import ApiToken, Group, GroupMember, User
from localfluence.models.permission import ContentRestriction, SitePermission, SiteSetting, SpacePermission
from localfluence.models.platform import AuditRecord, Event, Webhook, WebhookDelivery
from localfluence.models.property import ContentProperty, SpaceProperty, UserProperty
from localfluence.models.search import SearchDocument
from localfluence.models.space import Space
from localfluence.models.task import LongTask
from localfluence.models.template import Appearance, ConnectModule, ContentTemplate

__all__ = [
    "Event",
    "Webhook",
    "WebhookDelivery",
    "ApiToken",
    "Appearance",
    "AsyncConversion",
    "AttachmentVersion",
    "AuditRecord",
    "Blob",
    "CommentPlacement",
    "ConnectModule",
    "Content",
    "ContentAncestor",
    "ContentDigest",
    "ContentLabel",
    "ContentLink",
    "ContentMacro",
    "ContentMention",
    "ContentProperty",
    "ContentRestriction",
    "ContentStateAssignment",
    "ContentTemplate",
    "ContentVersion",
    "ContentView",
    "ContentWatch",
    "CustomContentState",
    "Group",
    "GroupMember",
    "InlineTask",
    "Label",
    "LabelWatch",
    "LongTask",
    "Relation",
    "SearchDocument",
    "SitePermission",
    "SiteSetting",
    "Space",
    "SpaceLabel",
    "SpacePermission",
    "SpaceProperty",
    "SpaceWatch",
    "User",
    "UserProperty",
]

"""The built-in blueprint templates: read-only, listed by GET /template/blueprint and readable by id."""

from __future__ import annotations

from dataclasses import dataclass

PLUGIN_KEY = "com.atlassian.confluence.plugins.confluence-business-blueprints"


@dataclass(frozen=True)
class Blueprint:
    template_id: str
    module_key: str
    # The id of the blueprint that uses this template (Confluence's referencingBlueprint is a UUID).
    blueprint_id: str
    name: str
    description: str
    labels: tuple[str, ...]
    body: str


BLUEPRINTS: tuple[Blueprint, ...] = (
    Blueprint(
        template_id="blueprint-meeting-notes",
        module_key="meeting-notes-item",
        blueprint_id="5d8b9f3a-7c43-4a4a-9f45-2a1f6a0e0001",
        name="Meeting notes",
        description="Plan meetings and share notes and action items with your team.",
        labels=("meeting-notes",),
        body=(
            '<h2>Date</h2><p><time datetime="" /></p>'
            '<h2>Participants</h2><ul><li><p><ac:placeholder ac:type="mention">@mention a person</ac:placeholder></p>'
            "</li></ul><h2>Goals</h2><ul><li><p /></li></ul>"
            "<h2>Discussion items</h2><table><tbody><tr><th>Time</th><th>Item</th><th>Who</th><th>Notes</th></tr>"
            "<tr><td /><td /><td /><td /></tr></tbody></table>"
            "<h2>Action items</h2><ac:task-list><ac:task><ac:task-id>1</ac:task-id>"
            "<ac:task-status>incomplete</ac:task-status><ac:task-body /></ac:task></ac:task-list>"
        ),
    ),
    Blueprint(
        template_id="blueprint-decision",
        module_key="decisions-blueprint-item",
        blueprint_id="5d8b9f3a-7c43-4a4a-9f45-2a1f6a0e0002",
        name="Decision",
        description="Record important project decisions and communicate them with your team.",
        labels=("decision",),
        body=(
            '<table><tbody><tr><th>Status</th><td><ac:structured-macro ac:name="status">'
            '<ac:parameter ac:name="title">NOT STARTED</ac:parameter></ac:structured-macro></td></tr>'
            "<tr><th>Stakeholders</th><td /></tr><tr><th>Outcome</th><td /></tr>"
            "<tr><th>Due date</th><td /></tr><tr><th>Owner</th><td /></tr></tbody></table>"
            "<h2>Background</h2><p /><h2>Action items</h2><p />"
        ),
    ),
    Blueprint(
        template_id="blueprint-how-to",
        module_key="howto-blueprint-item",
        blueprint_id="5d8b9f3a-7c43-4a4a-9f45-2a1f6a0e0003",
        name="How-to article",
        description="Provide step-by-step guidance for completing a task.",
        labels=("kb-how-to-article",),
        body=(
            "<p><ac:placeholder>Use this space to describe the task.</ac:placeholder></p>"
            "<h2>Instructions</h2><ol><li><p /></li></ol><h2>Related articles</h2><p />"
        ),
    ),
    Blueprint(
        template_id="blueprint-retrospective",
        module_key="retrospectives-blueprint-item",
        blueprint_id="5d8b9f3a-7c43-4a4a-9f45-2a1f6a0e0004",
        name="Retrospective",
        description="Use this template to lead a team retrospective.",
        labels=("retrospective",),
        body=(
            "<h2>Date</h2><p /><h2>Participants</h2><p /><h2>What went well?</h2><ul><li><p /></li></ul>"
            "<h2>What could be improved?</h2><ul><li><p /></li></ul><h2>Actions</h2><p />"
        ),
    ),
    Blueprint(
        template_id="blueprint-troubleshooting",
        module_key="troubleshooting-blueprint-item",
        blueprint_id="5d8b9f3a-7c43-4a4a-9f45-2a1f6a0e0005",
        name="Troubleshooting article",
        description="Provide solutions for common problems.",
        labels=("kb-troubleshooting-article",),
        body="<h2>Problem</h2><p /><h2>Solution</h2><ol><li><p /></li></ol>",
    ),
)

BY_ID = {b.template_id: b for b in BLUEPRINTS}

"""The demo workspace `acme` ("Acme Analytics"): three boards, ~160 customer ideas with votes, comments
and staff answers spread over six months, built deterministically so every demo looks the same."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts import service as account_service
from ideaflow.accounts.models import User
from ideaflow.audit.models import AuditEvent
from ideaflow.boards import repository as board_repository
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board, Visibility
from ideaflow.comments.models import Comment
from ideaflow.config import get_settings
from ideaflow.errors import Conflict
from ideaflow.ideas import service as idea_service
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.kit import markdown
from ideaflow.ranking import service as ranking_service
from ideaflow.statuses.models import OfficialResponse, ResponseRevision, TimelineEntry, TimelineKind
from ideaflow.statuses.service import DEFAULT_STATUSES
from ideaflow.tags.models import IdeaTag, Tag
from ideaflow.votes.models import Vote
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Membership, Role, Workspace
from ideaflow.workspaces.service import WorkspaceContext

SLUG = "acme"
NAME = "Acme Analytics"
ADMIN_EMAIL = "admin@acme.example"
CUSTOMER_EMAIL = "customer@acme.example"
# Printed by `ideaflow demo`; it only ever guards demo data.
PASSWORD = "acme-demo-password"
RANDOM_SEED = 20240611
HISTORY_DAYS = 180

CATEGORY = {key: category for key, _, _, category in DEFAULT_STATUSES}


def _accepts_votes(status: IdeaStatus) -> bool:
    return CATEGORY[status.value].accepts_votes


# Tags staff use to slice the backlog: (name, colour, words in a title or body that earn the tag).
TAGS = [
    ("Performance", "#0891b2", ("fast", "slow", "speed", "performance", "cache", "load")),
    ("Enterprise", "#7c3aed", ("sso", "saml", "audit", "permission", "role", "compliance", "admin")),
    ("Collaboration", "#db2777", ("share", "team", "comment", "mention", "collaborat")),
    ("API", "#ea580c", ("api", "webhook", "sdk", "endpoint", "integration")),
    ("Mobile", "#16a34a", ("mobile", "phone", "ios", "android", "tablet")),
    ("Reporting", "#2563eb", ("report", "pdf", "export", "csv", "digest", "email")),
]
# Internal notes the team left on a few ideas (staff only).
INTERNAL_NOTES = [
    "Three enterprise prospects asked for this on sales calls this quarter. Worth sizing before planning.",
    "Related to the query engine rewrite: let's not promise dates until that lands.",
    "Support sees about two tickets a week about this. Linking them in the tracker.",
    "Design has early mock-ups in the shared drive; ping Priya before replying to customers.",
]

UR, PL, IP, SH, DE = (
    IdeaStatus.under_review,
    IdeaStatus.planned,
    IdeaStatus.in_progress,
    IdeaStatus.shipped,
    IdeaStatus.declined,
)


@dataclass(frozen=True)
class _Seed:
    title: str
    body: str
    status: IdeaStatus | None = None
    # 3: one of the most wanted ideas (40+ votes), 2: popular, 1: solid, 0: the long tail.
    heat: int = 0
    # The staff's answer, when the idea deserves a specific one rather than a generic status note.
    note: str = ""


def _s(title: str, body: str, status: IdeaStatus | None = None, heat: int = 0, note: str = "") -> _Seed:
    return _Seed(title, body, status, heat, note)


FEATURE_REQUESTS = [
    _s(
        "Dark mode",
        "I spend most of the day with Acme open on a second monitor and the white background is rough in the "
        "evening. A dark theme (ideally following the OS setting) would be lovely.",
        SH,
        3,
        "Dark mode is live! Pick it under **Profile → Appearance**, or choose *System* to follow your OS. "
        "Charts get their own dark palette, so contrast stays readable.",
    ),
    _s(
        "Email a PDF snapshot of a dashboard on a schedule",
        "Our leadership team will never log in, but they read email. We'd like to send the *Weekly KPIs* "
        "dashboard as a PDF every Monday at 8:00 to a list of addresses, with the filters we saved.\n\n"
        "Bonus: skip the email when the data hasn't refreshed.",
        PL,
        3,
        "Scheduled PDF snapshots are planned for next quarter. First version: daily/weekly/monthly schedules, "
        "saved filters, and recipients who don't need an Acme account.",
    ),
    _s(
        "SAML single sign-on (Okta, Entra ID, Google Workspace)",
        "Our security policy requires every SaaS tool to go through Okta. Right now we have to grant exceptions "
        "for Acme, which comes up in every audit.\n\n"
        "Must-haves for us:\n- SP-initiated and IdP-initiated login\n- Enforce SSO for everyone except one "
        "break-glass admin\n- Just-in-time user creation",
        IP,
        3,
        "We're building SAML SSO now. Okta and Entra ID are in internal testing; Google Workspace follows. "
        "Comment here if you'd like to join the beta.",
    ),
    _s(
        "Download a chart as PNG or SVG",
        "I paste charts into slide decks every week and currently take screenshots, which look blurry on the "
        "projector. A download button with PNG (2x) and SVG would save me a lot of fiddling.",
        SH,
        2,
    ),
    _s(
        "Click a data point to see the underlying rows",
        "When a bar looks odd I want to click it and see the events or users behind it, instead of rebuilding "
        "the query by hand in the explorer. Even the first 500 rows would be enough to spot the problem.",
        PL,
        3,
    ),
    _s(
        'Relative date range "last N complete weeks"',
        "*Last 4 weeks* currently includes the current partial week, so every Monday the chart shows a scary "
        "drop. Please add *last N complete weeks / months / quarters*.",
        heat=2,
    ),
    _s(
        "Fiscal years that start in a month other than January",
        "Our fiscal year starts on 1 April. Quarter grouping and *this year* filters should follow it, otherwise "
        "finance can't use Acme for any of their reporting.",
        UR,
        2,
    ),
    _s(
        "Annotations on time-series charts",
        'Let us mark a date on a chart with a short note ("Pricing page redesign", "Outage") so that people '
        "looking at the dashboard months later understand the spikes. Annotations should be shared across all "
        "charts on the same project.",
        SH,
        2,
    ),
    _s(
        "Folders for dashboards",
        "We have 180+ dashboards and the flat list is unmanageable. Nested folders (Marketing → Paid → "
        "Campaigns) with permissions per folder would help a lot.",
        IP,
        3,
    ),
    _s(
        "Row-level permissions on datasets",
        "We share dashboards with regional managers and each of them should only see their own region's rows. "
        "Today we duplicate every dashboard per region, which means 12 copies to maintain.",
        UR,
        2,
    ),
    _s(
        "Audit log of changes to dashboards and settings",
        "For SOC 2 we need to show who changed what and when: dashboard edits, permission changes, API tokens "
        "created, members removed. A filterable log with CSV export would cover it.",
        PL,
        1,
    ),
    _s(
        "Version history for dashboards, with restore",
        "Someone deleted half the charts on our main revenue dashboard last week and we had to rebuild it from "
        "memory. Keep previous versions and let an editor restore one.",
        heat=2,
    ),
    _s(
        "Compare with the previous period on KPI tiles",
        "A big number on its own doesn't tell me much. Show the change versus the previous period (and "
        "optionally the same period last year) as a small green/red percentage under the value.",
        SH,
        1,
    ),
    _s(
        "Conditional formatting in table charts",
        "Highlight cells based on rules, e.g. red when churn > 5%, green when NPS > 40. Colour scales (heatmap "
        "style) per column would be even better.",
        heat=1,
    ),
    _s(
        "Pivot tables",
        "I'd like to put plan on rows, month on columns and MRR in the cells, with subtotals. At the moment I "
        "export to Excel every time just to pivot.",
        PL,
        2,
    ),
    _s(
        "Funnel steps in any order",
        "Our onboarding has steps users can complete in any order (invite teammate, connect source, create "
        "dashboard). Funnels currently require a strict sequence, so conversion looks much worse than it is.",
    ),
    _s(
        "Choose the return event for retention charts",
        "Retention counts *any* event as a return, including automated ones like email opens. We need to pick "
        "the event that means someone actually came back (e.g. `dashboard_viewed`).",
        SH,
    ),
    _s(
        "Export a cohort to CSV",
        "After building a cohort I want the list of user IDs and emails as a CSV so customer success can reach "
        "out. Right now I rebuild the same filter in SQL.",
        heat=1,
    ),
    _s(
        "Keyboard shortcuts in the SQL editor",
        "At minimum:\n\n- `Cmd/Ctrl+Enter` to run the query\n- `Cmd/Ctrl+/` to comment a line\n- "
        "`Shift+Alt+F` to format\n\nMuscle memory from every other SQL tool keeps tripping me up.",
        SH,
    ),
    _s(
        "Autocomplete table and column names in the SQL editor",
        "With 300+ tables in our warehouse I constantly switch to the schema browser to check a column name. "
        "Autocomplete after `FROM` and after `table.` would make the editor much nicer.",
        IP,
        2,
    ),
    _s(
        "Shared SQL snippets",
        'We have the same CTE for "active paying accounts" pasted into dozens of queries. A snippet library '
        "shared with the team (insert with a shortcut) would stop them drifting apart.",
    ),
    _s(
        "Use SQL query parameters as dashboard filters",
        "Let me write `WHERE region = {{region}}` in a SQL chart and bind it to a dashboard-level dropdown, so "
        "custom SQL charts respond to the same filters as the built-in ones.",
        heat=2,
    ),
    _s(
        "Alert me when a metric crosses a threshold",
        "E.g. notify me by email when daily sign-ups drop below 50 or when error events go above 1,000/hour. "
        "Checking dashboards manually means we find out too late.",
        SH,
        3,
        "Threshold alerts are live on all paid plans: open any time-series chart and choose **Alert → New "
        "alert**. Email and Slack are supported from day one; more channels are coming.",
    ),
    _s(
        "Anomaly detection alerts",
        "Threshold alerts are great, but our traffic is very seasonal, so a fixed threshold is either noisy or "
        "useless. Alert me when a metric is unusually high or low compared to its usual pattern for that weekday "
        "and hour.",
        UR,
        2,
    ),
    _s(
        "Set the time zone per dashboard",
        "Our company settings are in UTC, but the Sydney team wants their dashboards bucketed by Australian "
        "days. A time-zone override per dashboard would solve it without changing everyone else's numbers.",
        heat=1,
    ),
    _s(
        "Start weeks on Monday",
        "Weekly charts group Sunday–Saturday. Everyone in Europe expects Monday–Sunday ([ISO 8601 weeks]"
        "(https://en.wikipedia.org/wiki/ISO_week_date)). A workspace setting would do.",
        SH,
        1,
    ),
    _s(
        "Embed dashboards in our own product with signed URLs",
        "We want to show each of our customers their own usage dashboard inside our app. That needs:\n\n"
        "1. An iframe embed without an Acme login\n2. Signed URLs so the filter (customer ID) can't be tampered "
        "with\n3. Our own colours and no Acme branding",
        UR,
        3,
    ),
    _s(
        "Public share links with expiry and password",
        "Sometimes I need to share a dashboard with an agency for two weeks. A link that expires on a date and "
        "optionally asks for a password would be much safer than creating guest accounts.",
    ),
    _s(
        "Heatmap chart type",
        "Day-of-week × hour-of-day heatmaps are the classic way to show when people use the product. It's the "
        "one chart I still build in a notebook.",
        heat=1,
    ),
    _s(
        "Sankey diagram of user paths",
        "Show the most common paths from sign-up to the first dashboard, with the drop-offs in between. Funnels "
        "only tell me *that* people leave, not *where they go instead*.",
        UR,
        1,
    ),
    _s(
        "World map chart by country",
        "We sell in 40+ countries and a choropleth map is what our sales leadership asks for. Country codes are "
        "already in our events, so it's just the visualisation that's missing.",
    ),
    _s(
        "Goal lines on charts",
        "Draw a horizontal line at our target (e.g. 500 trials per week) so it's obvious at a glance whether we "
        "are on track. Bonus points for a goal that changes per quarter.",
    ),
    _s(
        "100% stacked area and bar charts",
        "I want to show the *share* of traffic per channel over time, not the absolute numbers. A normalise "
        "toggle on stacked charts would do it.",
    ),
    _s(
        "Logarithmic y-axis",
        "Some of our metrics grow by orders of magnitude and the early months become a flat line. A log scale "
        "option on the y-axis, please.",
    ),
    _s(
        "Two y-axes on one chart",
        "Revenue (in dollars) and number of orders on the same chart need different scales. A secondary axis on "
        "the right for selected series would help.",
        heat=1,
    ),
    _s(
        "Custom colour palettes for our brand",
        "Our marketing team wants dashboards shown to customers to use our brand colours. Let admins define a "
        "palette (hex codes, in order) that charts use by default.",
    ),
    _s(
        "Currency and compact number formats per metric",
        "Show `€1.2M` instead of `1234567.89`. Each metric should remember its currency, decimals and whether to "
        "abbreviate (k, M, B).",
        SH,
        1,
    ),
    _s(
        "Show the exact bucket start and end in tooltips",
        'When hovering a weekly bar it\'s unclear whether "Mar 4" is the start or the end of the week. Please '
        "show `Mon 4 Mar – Sun 10 Mar` in the tooltip.",
    ),
    _s(
        "TV mode for wall displays",
        "We show the support dashboard on a TV in the office. A full-screen mode without the sidebar, with "
        "auto-refresh and that survives the session timing out, would be perfect.",
        PL,
        1,
    ),
    _s(
        "Automatic refresh interval for dashboards",
        "Let each dashboard refresh every 1, 5 or 15 minutes while it's open. Useful for launch days when we "
        "keep the dashboard open all afternoon.",
    ),
    _s(
        "Copy a dashboard to another project",
        "We have separate projects for staging and production. Building a dashboard on staging and then copying "
        "it to production (re-mapping the event names) would save a lot of clicking.",
    ),
    _s(
        "Template gallery with SaaS metrics dashboards",
        "Ready-made dashboards for MRR, churn, activation and NPS that we can install and adapt. Starting from a "
        "blank canvas is intimidating for new team members.",
        heat=1,
    ),
    _s(
        "Formulas between metrics",
        "I want to chart `(trials converted / trials started) * 100` directly, without writing SQL. Something "
        "like `A / B` where A and B are the metrics defined on the chart.",
        SH,
        3,
        "Formulas are out! Add two or more series to a chart and click **+ Formula**; `A / B * 100` works, and "
        "so do `ROUND`, `MIN` and `MAX`.",
    ),
    _s(
        "Percentiles (p50, p90, p95, p99) as aggregations",
        "Averages hide the slow tail. For load times and query durations we need p50/p95/p99 over any numeric "
        "property.",
        PL,
        1,
    ),
    _s(
        "DAU/MAU stickiness metric",
        "A built-in stickiness ratio with a rolling 28-day window would save us maintaining a rather gnarly SQL "
        "query that nobody else on the team understands.",
    ),
    _s(
        "Dashboard-wide filter on user properties",
        "Add a filter at the top of a dashboard (e.g. `plan = Enterprise`) that applies to every chart, "
        "including ones based on user properties rather than event properties.",
        SH,
        2,
    ),
    _s(
        "Save filter combinations as presets",
        "Our account managers always apply the same three filters for their portfolio. Let them save the "
        "combination under a name and switch presets from a dropdown.",
    ),
    _s(
        "Change settings on several charts at once",
        "When we rename a property I have to open 25 charts one by one. Select multiple charts and change the "
        "date range, filter or colours in one go.",
    ),
    _s(
        "Undo and redo in the dashboard editor",
        "I dragged a chart onto another and the layout collapsed. `Cmd+Z` did nothing. Please add undo/redo "
        "for layout changes at least.",
        IP,
        1,
    ),
    _s(
        "Comment threads on charts",
        "Discussions about a metric happen in Slack and get lost. Let us leave comments on a chart (with "
        "@mentions that notify people) so the context stays with the data.",
        heat=1,
    ),
    _s(
        "Show how fresh the data is on every chart",
        'A small "updated 12 min ago" under each chart. Twice this month someone presented numbers from a '
        "stale cache without realising.",
        heat=1,
    ),
    _s(
        "Faster loading for dashboards with many charts",
        "Our main dashboard has 40 charts and takes ~25 seconds to become usable. Loading the charts that are "
        "visible first (and the rest as you scroll) would make it feel much faster.",
        IP,
        2,
    ),
    _s(
        "See which dashboards are actually used",
        "Admins need view counts and last-viewed dates per dashboard so we can clean up the ones nobody opens. "
        "We have no idea which of our 200 dashboards matter.",
        UR,
        1,
    ),
    _s(
        "Viewer role that cannot export data",
        "Some external partners may look at dashboards but must not download CSVs. A *viewer (no export)* role "
        "would let us give them access without a compliance discussion every time.",
        PL,
    ),
    _s(
        "Custom roles with fine-grained permissions",
        "The four built-in roles don't quite fit: we want analysts who can create dashboards but not invite "
        "people or manage data sources. Custom roles would solve this and future cases.",
        heat=1,
    ),
    _s(
        "Require two-factor authentication for the whole workspace",
        "Our admins should be able to enforce 2FA for every member. Today it's optional per user and we can't "
        "tell who has it enabled.",
        SH,
        2,
    ),
    _s(
        "Restrict access to our office IP ranges",
        "A list of allowed IP ranges (CIDR) per workspace, with an exception for SSO sessions from managed "
        "devices, is a hard requirement from our security team.",
        UR,
    ),
    _s(
        "Per-project data retention period",
        "For GDPR we'd like raw events older than 25 months to be deleted automatically, while keeping the "
        "aggregated daily metrics.",
    ),
    _s(
        "Delete everything about one user by ID",
        "We receive a few erasure requests a month. An API endpoint (and a button) that deletes all events and "
        "properties for a given user ID, with a confirmation we can store, would make this painless.",
        PL,
        1,
    ),
    _s(
        "Host our data in the EU",
        "Several of our customers are German public-sector organisations and they require data to stay in the "
        "EU. An EU region is the only thing keeping us from moving our whole company onto Acme.",
        PL,
        3,
        "An EU region (Frankfurt) is planned. We'll offer migration of existing workspaces, and new workspaces "
        "will be able to choose their region at creation.",
    ),
    _s(
        "German and French interface",
        "Most of our operations staff in Lyon and Munich are more comfortable in their own language. Even just "
        "the navigation and chart editor translated would help adoption.",
    ),
    _s(
        "Japanese interface and date formats",
        "We're rolling Acme out to our Tokyo office. Japanese UI and `YYYY/MM/DD` date formats would make a big "
        "difference for the team there.",
    ),
    _s(
        "Screen reader support for charts",
        'Two people on our team use screen readers. Charts are announced as "image" with no data. An '
        "accessible data-table alternative for every chart (and proper labels on the controls) would make "
        "Acme usable for them.",
        IP,
        1,
    ),
    _s(
        "Colour-blind friendly palette",
        "The default palette uses red and green next to each other, which I can't tell apart. A palette "
        "designed for colour-vision deficiency, selectable per user, would be great.",
        SH,
        1,
    ),
    _s(
        "Print-friendly dashboard layout",
        "Printing a dashboard (or *Save as PDF* from the browser) cuts charts in half across pages. A print "
        "stylesheet that keeps each chart on one page would be enough.",
    ),
    _s(
        "Text tiles with Markdown",
        'Let us add headings and explanations between charts, e.g. "How to read this section". Markdown '
        "(bold, links, lists) would be plenty.",
        SH,
        1,
    ),
    _s(
        "Images in text tiles",
        "Now that Markdown text tiles exist, it would be great to drop our logo or a small diagram into them. "
        "Uploading or linking an image would both work for us.",
    ),
    _s(
        "Tabs within a dashboard",
        "Instead of five separate dashboards for one team (overview, acquisition, activation, retention, "
        "revenue) we'd prefer one dashboard with tabs that share the same filters.",
        heat=2,
    ),
    _s(
        "Cross-filtering: click a bar to filter the other charts",
        "Clicking *Germany* on the country chart should filter every other chart on the dashboard to Germany. "
        "Click again to clear. This is the main thing people miss from our old BI tool.",
        UR,
        2,
    ),
    _s(
        "Compare two segments side by side",
        "E.g. users who completed onboarding vs. users who didn't, on the same chart with both lines. Today we "
        "duplicate the chart and put them next to each other.",
    ),
    _s(
        "Forecast line on time-series charts",
        "A dotted projection for the next 30/90 days (even a simple linear or seasonal trend) would help with "
        "planning conversations. We export to a spreadsheet to do this today.",
        heat=1,
    ),
    _s(
        "Suggest property values in filters",
        "When I filter on `plan`, show me the existing values (`free`, `team`, `enterprise`) instead of an empty "
        "text box. I keep making typos and getting zero results.",
        SH,
    ),
    _s(
        "Display names for events",
        "Our events are named `srv_acct_upg_v2` for historical reasons. Let admins set a human display name and "
        "description without changing the tracking code.",
        heat=1,
    ),
    _s(
        "Hide deprecated events from pickers",
        "We have dozens of events that are no longer sent. Let us mark them hidden so they stop cluttering the "
        "event picker, without deleting the historical data.",
    ),
    _s(
        "A data dictionary for metrics and events",
        "One page that lists every event, property and saved metric, with a description, owner and example "
        "values. New analysts spend their first week asking what things mean.",
        UR,
        1,
    ),
    _s(
        "Mark dashboards as verified",
        "Let admins mark a dashboard as the official source of truth (a badge, and shown first in search). "
        'There are five different "Revenue" dashboards and people pick the wrong one.',
    ),
    _s(
        "Search across dashboards, charts and saved queries",
        'The search box only matches dashboard names. I want to find the chart called "Trial conversion by '
        'channel" no matter which dashboard it lives on.',
        PL,
        2,
    ),
    _s(
        "Pin favourite dashboards to the sidebar",
        "I open the same three dashboards every morning. Starring them to keep them at the top of the sidebar "
        "would save a few clicks each day.",
        SH,
    ),
    _s(
        "Send invoices to a separate billing email",
        "Invoices go to the workspace owner, who then forwards them to accounts payable. Please add a billing "
        "contact email (or several).",
        SH,
    ),
    _s(
        "Forecast of event volume for usage-based billing",
        "Show how many events we're likely to send this month based on the trend so far, so we can see an "
        "overage coming before the invoice arrives.",
    ),
    _s(
        "Sample project with demo data",
        "When we onboard a new team, they're scared of breaking real dashboards. A sandbox project with "
        "realistic sample data to play in would help training sessions.",
    ),
    _s(
        "Live view of incoming events",
        "When we ship new tracking we want to see events arriving in real time (with their properties) to check "
        "they look right, instead of waiting for the next refresh.",
        heat=2,
    ),
    _s(
        "Sampling toggle for faster exploration",
        "For exploratory questions I'm happy with 10% sampled data if it answers in one second instead of "
        "twenty. A toggle in the explorer, clearly labelled on the chart, would be ideal.",
    ),
    _s(
        "Raise the 10,000 row limit on query results",
        "Our monthly export for the finance team is about 60,000 rows. The current limit means splitting the "
        "query into months and stitching the CSVs together.",
        heat=1,
    ),
    _s(
        "Export large results in the background",
        "For big exports, run them in the background and email me a download link when ready, instead of the "
        "browser tab timing out after a minute.",
    ),
    _s(
        "Descriptions on charts",
        'A short caption under each chart explaining what it measures and how ("Counts accounts with at least '
        'one paid invoice"). Hovering an info icon to see it would be fine.',
    ),
    _s(
        "Ask questions in plain English",
        'Let people type "how many trials did we start last week by country" and get a chart. Most of our '
        "sales team will never learn the explorer.",
        UR,
        2,
    ),
    _s(
        "Session recordings",
        "Being able to watch what users did right before they dropped out of a funnel would be incredibly "
        "useful, and it would save us paying for a separate tool.",
        DE,
        1,
        "Thanks for the suggestion. Session recording is a product of its own and we'd rather integrate well "
        "with the tools that do it than build a weaker version. Linking recordings from a user's profile is "
        "something we'd consider instead.",
    ),
    _s(
        "Minute-level granularity for the last 24 hours",
        "Hourly is the smallest bucket. During incidents and launches we need per-minute counts for the last "
        "few hours.",
    ),
    _s(
        "User segments defined with SQL",
        'Our definition of an "active account" lives in SQL. Let us save a SQL query that returns user IDs as '
        "a segment and use it in any chart's filters.",
        heat=1,
    ),
    _s(
        "Follow a dashboard and get notified about changes",
        "I'd like to follow the dashboards I depend on and get a notification when someone edits or deletes a "
        "chart on them.",
    ),
    _s(
        "Weekly email digest of key metrics",
        "A Monday morning email with five numbers I choose and how they changed week over week. Much lighter "
        "than a full PDF snapshot.",
        heat=1,
    ),
    _s(
        "Public API to create and update dashboards",
        "We manage lots of similar dashboards for different clients and want to create them from code. The "
        "API currently only reads query results.",
        UR,
        2,
    ),
    _s(
        "Archive dashboards instead of deleting them",
        "Deleting feels final and people are afraid to do it, so nothing ever gets cleaned up. An *Archived* "
        "state that hides the dashboard but keeps it restorable would help.",
    ),
    _s(
        "Recently viewed dashboards on the home page",
        "The home page could show the last 10 things I looked at. I navigate back to the same places all day.",
        SH,
    ),
    _s(
        "Show query cost and duration before running",
        "On our warehouse, a careless query can cost real money. An estimate of the bytes scanned before "
        "running (like the BigQuery console shows) would make people more careful.",
    ),
    _s(
        "Duplicate a chart within the same dashboard",
        "Right-click → *Duplicate* on a chart. Most of my charts are small variations of the one next to them.",
    ),
    _s(
        "Bring back the compact table density",
        "Since the last redesign, tables show about 12 rows on my laptop screen instead of 20. Please add a "
        "compact density option.",
        heat=1,
    ),
    _s(
        "Spreadsheet-style export with formatting",
        "CSV exports lose our number formats and column names. An `.xlsx` export that keeps the headers, "
        "formats and the filters used would save finance a lot of cleanup.",
    ),
    _s(
        "Show who is looking at a dashboard right now",
        "Little avatars in the corner like in Google Docs. It sounds small, but it makes meetings where we all "
        "open the same dashboard much easier.",
        DE,
        note="We've decided not to build live presence for now: it's costly to run and we'd rather spend the "
        "effort on comment threads on charts, which cover the collaboration part of this request.",
    ),
    _s(
        "Blockchain-verified audit trail",
        "To prove to regulators that our reports were not altered, it would be great if dashboard snapshots "
        "were anchored on a public blockchain.",
        DE,
        note="Thanks for the idea! The audit log we're planning, combined with signed PDF snapshots, should "
        "give you a verifiable record without the operational cost of a blockchain, so we're not going to "
        "pursue this one.",
    ),
    _s(
        "Let me pick the first day of the month for monthly buckets",
        "Our billing cycle runs from the 15th to the 14th. Monthly charts aligned to calendar months don't match "
        "the invoices at all.",
    ),
    _s(
        "Keep the chart editor open while switching tabs",
        "If I switch to another browser tab to check something and come back, the unsaved chart editor is "
        "sometimes reset. Please keep drafts (even just in local storage).",
        heat=1,
    ),
    _s(
        "Round numbers consistently between tiles and tables",
        "A KPI tile shows 12.4% and the table below shows 12.35% for the same metric. Small thing, but execs "
        "notice and ask which one is right.",
        SH,
    ),
]

INTEGRATIONS = [
    _s(
        "Post alerts to a Slack channel",
        "Our team lives in Slack, not in email. Sending alerts to a channel (with the chart image) would make "
        "sure someone actually sees them.",
        SH,
        3,
        "Slack alerts are live. Connect Slack under **Settings → Integrations**, then pick a channel when you "
        "create an alert. The message includes a chart image and a link back to the dashboard.",
    ),
    _s(
        "Slack command to share a chart",
        "Typing `/acme weekly signups` in Slack and getting the chart as an image would be amazing for quick "
        "questions in threads.",
        UR,
        1,
    ),
    _s(
        "Microsoft Teams notifications",
        "We're a Microsoft shop. Slack alerts don't help us; Teams channel notifications for alerts and "
        "scheduled reports would.",
        PL,
        2,
    ),
    _s(
        "Sync Salesforce accounts and opportunities",
        "We want to break down product usage by Salesforce account owner, industry and ARR. A native sync of "
        "Accounts and Opportunities (every few hours is fine) would replace a fragile nightly export.",
        PL,
        3,
        "A Salesforce integration is planned. The first version will sync Accounts, Contacts and "
        "Opportunities every hour and let you use any field as a group-by or filter.",
    ),
    _s(
        "Import HubSpot company properties",
        "Same as the Salesforce request, but for HubSpot: company size, lifecycle stage and owner as filterable "
        "properties on our accounts.",
        heat=2,
    ),
    _s(
        "Snowflake as a data source",
        "Most of our data lives in Snowflake. Querying it directly (with key-pair authentication) instead of "
        "copying it into Acme would be ideal.",
        SH,
        3,
    ),
    _s(
        "BigQuery as a data source",
        "Connect a BigQuery project with a service account and query tables directly. Respecting "
        "`maximum_bytes_billed` would keep our finance team calm.",
        SH,
        2,
    ),
    _s(
        "IAM authentication for Redshift",
        "Our security team wants us to stop using static database passwords. Please support IAM role-based "
        "authentication for Redshift connections.",
    ),
    _s(
        "Databricks SQL warehouse connector",
        "We moved our lakehouse to Databricks and would love to point Acme at a SQL warehouse with a personal "
        "access token or OAuth.",
        UR,
        2,
    ),
    _s(
        "ClickHouse connector",
        "We store our raw events in ClickHouse Cloud. A native connector would let us build dashboards on top "
        "without copying billions of rows.",
        heat=1,
    ),
    _s(
        "Client certificates for PostgreSQL connections",
        "Our Postgres read replica requires `sslmode=verify-full` with a client certificate. There's no way to "
        "upload the cert and key in the connection form.",
    ),
    _s(
        "MongoDB Atlas as a data source",
        "Our product database is MongoDB. Even read-only access to a few collections through the Atlas SQL "
        "interface would be great.",
    ),
    _s(
        "Stripe revenue metrics",
        "Connect Stripe and get MRR, churn, expansion and failed payments out of the box, joinable with our "
        "product usage data.",
        IP,
        3,
        "We're building the Stripe integration now. MRR, new/expansion/contraction/churned revenue and failed "
        "payments will be available as ready-made metrics you can join with product usage.",
    ),
    _s(
        "Segment as an event source",
        "We already send everything through Segment. Adding Acme as a destination would mean zero tracking "
        "changes on our side.",
        SH,
        2,
    ),
    _s(
        "RudderStack as an event source",
        "We're on self-hosted RudderStack for cost reasons. A destination for it (like the Segment one) would be "
        "much appreciated.",
        heat=1,
    ),
    _s(
        "Zapier triggers for alerts",
        "A Zapier trigger that fires when an alert goes off would let us connect Acme to the dozens of tools you "
        "will never build native integrations for.",
        heat=1,
    ),
    _s(
        "Make (Integromat) app",
        "We use Make rather than Zapier for our automations. An official Make app with alert triggers and a "
        '"run query" action would cover everything we need.',
    ),
    _s(
        "Keep a Google Sheet in sync with a query",
        "Finance lives in Google Sheets. Push the result of a saved query into a sheet every morning, replacing "
        "the previous data, so their formulas keep working.",
        PL,
        2,
    ),
    _s(
        "Excel add-in",
        "An Excel add-in to pull saved query results into a workbook and refresh them on demand. Our FP&A team "
        "will not leave Excel, and honestly, that's fine.",
    ),
    _s(
        "Create a Jira issue from an alert",
        "When an alert about error events fires, create a Jira ticket in a chosen project with the chart and a "
        "link attached. Today someone copies it over by hand.",
    ),
    _s(
        "Linear integration",
        "Same as the Jira request but for Linear: create an issue from an alert, and show linked issues on the chart.",
    ),
    _s(
        "Embed charts in Notion",
        "Our team docs live in Notion. Pasting a chart link should unfurl into a live, embedded chart (for "
        "people with access).",
        heat=1,
    ),
    _s(
        "Confluence macro for charts",
        "We document our metrics in Confluence. A macro that embeds a live Acme chart would keep those pages "
        "from going stale.",
    ),
    _s(
        "Import metrics from the dbt semantic layer",
        "We define our metrics once in dbt. Acme should read those definitions instead of us defining them again "
        "(and getting them slightly wrong).\n\nSee the [dbt docs on the semantic layer]"
        "(https://docs.getdbt.com/docs/use-dbt-semantic-layer/dbt-sl).",
        UR,
        3,
    ),
    _s(
        "Refresh dashboards when an Airflow or Dagster run finishes",
        "Our dashboards refresh on a schedule, which is either too early (before the pipeline finished) or too "
        "late. An API call or webhook to trigger the refresh after our DAG completes would fix it.",
        heat=1,
    ),
    _s(
        "Shopify orders and customers",
        "We run a B2B store on Shopify alongside our SaaS. Pulling orders and customers in would let us see the "
        "whole customer picture in one place.",
    ),
    _s(
        "Zendesk tickets as a data source",
        "We want to correlate support ticket volume with product usage (do accounts that use feature X open "
        "fewer tickets?). A Zendesk connector would make that easy.",
        heat=1,
    ),
    _s(
        "Send user attributes to Intercom",
        "Push computed properties like *last active*, *dashboards created* and *health score* to Intercom so our "
        "CSMs can target messages.",
        UR,
    ),
    _s(
        "SCIM user provisioning with Okta",
        "With SSO coming (thanks!), we also need SCIM so that people who leave the company lose access "
        "automatically and new hires land in the right group.",
        PL,
        2,
    ),
    _s(
        "SCIM provisioning with Microsoft Entra ID",
        "Same as the Okta SCIM request, for Entra ID (Azure AD). Group-to-role mapping is the important part for us.",
        PL,
        1,
    ),
    _s(
        "Deploy annotations from GitHub releases",
        "Automatically add an annotation to charts whenever we publish a GitHub release, with the release name "
        "and a link.",
        heat=1,
    ),
    _s(
        "GitLab deploy annotations",
        "We're on GitLab. A webhook that turns deployments into chart annotations would help us see the effect "
        "of each release.",
    ),
    _s(
        "PagerDuty as an alert destination",
        "Critical alerts (checkout events dropping to zero) should page whoever is on call, not sit in an inbox.",
        SH,
        1,
    ),
    _s(
        "Opsgenie as an alert destination",
        "We use Opsgenie rather than PagerDuty for on-call. Would love the same integration.",
    ),
    _s(
        "Signed webhooks for alerts",
        "A generic webhook destination for alerts, signed with an HMAC header so we can verify the payload "
        "came from Acme. That would let us wire alerts into anything.",
        SH,
        2,
    ),
    _s(
        "Daily export of raw events to S3",
        "For long-term archiving and our own ML work we need the raw events as Parquet files in our S3 bucket, "
        "partitioned by day.",
        PL,
        2,
    ),
    _s(
        "Export raw events to Google Cloud Storage",
        "Same as the S3 export request, but to a GCS bucket. We're fully on Google Cloud.",
    ),
    _s(
        "Power BI connector",
        "Our executives' reporting is in Power BI. A connector that exposes saved Acme queries as a data source "
        "would let us keep one source of truth.",
        heat=1,
    ),
    _s(
        "Tableau connector",
        "A Tableau Web Data Connector (or a Hyper export) for saved queries would let our BI team blend Acme "
        "data with everything else.",
    ),
    _s(
        "Import historical data from Mixpanel",
        "We're moving from Mixpanel and don't want to lose three years of history. An importer that maps "
        "Mixpanel events and user profiles would make the switch much easier.",
        heat=2,
    ),
    _s(
        "Import from Amplitude",
        "Same as the Mixpanel importer request: we'd move to Acme tomorrow if we could bring our Amplitude "
        "history with us.",
        heat=1,
    ),
    _s(
        "Google Analytics 4 as a source",
        "Marketing wants website traffic next to product usage in one dashboard. Pulling GA4 sessions and "
        "conversions in would do it.",
        UR,
        2,
    ),
    _s(
        "Sync cohorts to Braze and Klaviyo",
        "Build a cohort in Acme (e.g. trial users who never created a dashboard) and have it synced as an "
        "audience in Braze or Klaviyo for a nudge campaign.",
        heat=1,
    ),
    _s(
        "Pipedrive deals as a data source",
        "We use Pipedrive as our CRM. Deals and organisations with their stages would let us connect product "
        "usage to the sales pipeline.",
    ),
    _s(
        "Terraform provider",
        "We manage all our infrastructure as code, including SaaS config. A Terraform provider for data sources, "
        "alerts and members would fit our workflow.",
        heat=1,
    ),
    _s(
        "Airtable as a data source",
        "A few of our teams keep lightweight data (content calendar, partner list) in Airtable and would like to "
        "join it with product data.",
        DE,
        note="We're not planning a dedicated Airtable connector: demand is low and Airtable's sync to Google "
        "Sheets, which we are building, covers most of the cases people described here.",
    ),
    _s(
        "Discord alerts",
        "Our community team runs everything on Discord. Alerts in a Discord channel would be handy (a webhook "
        "URL is all Discord needs).",
    ),
    _s(
        "Chargebee subscription data",
        "We bill through Chargebee, not Stripe. The same revenue metrics as the upcoming Stripe integration "
        "would be fantastic.",
        heat=1,
    ),
    _s(
        "LaunchDarkly flags as user properties",
        "Knowing which feature flag variation a user was in, as a property on their events, would make our "
        "experiment analysis much simpler.",
    ),
    _s(
        "Looker Studio connector",
        "Some of our marketing reports are in Looker Studio. A community connector for saved Acme queries "
        "would avoid a CSV round-trip every week.",
    ),
]

MOBILE = [
    _s(
        "Home screen widgets on iOS",
        "A widget showing one or two KPIs (today's sign-ups, MRR) on my home screen would mean I stop opening "
        "the app twenty times a day.",
        IP,
        3,
        "iOS widgets are in progress: small and medium sizes, each showing one KPI tile of your choice. "
        "TestFlight invites go out to this thread first.",
    ),
    _s(
        "Android home screen widgets",
        "Same as the iOS widget request, for Android. A resizable widget with one to four KPI tiles would be perfect.",
        PL,
        2,
    ),
    _s(
        "Push notifications for alerts",
        "When an alert fires I want a push notification on my phone, with a tap taking me straight to the chart.",
        SH,
        3,
    ),
    _s(
        "Offline access to recently viewed dashboards",
        "I review dashboards on flights and the app shows nothing without a connection. Caching the last "
        "snapshot of my favourites (clearly marked as cached) would be enough.",
        heat=1,
    ),
    _s(
        "Lock the app with Face ID",
        "Our revenue numbers are sensitive. Requiring Face ID / Touch ID (or a passcode) when opening the app "
        "would satisfy our security team.",
        SH,
        1,
    ),
    _s(
        "Rotate to landscape for a full-screen chart",
        "Time-series charts are cramped in portrait. Turning the phone sideways should show the chart full screen.",
    ),
    _s(
        "Pinch to zoom into a time range",
        "Pinching on a chart to zoom into a week, then swiping to pan, would make exploring on the phone "
        "much more natural than the date picker.",
    ),
    _s(
        "Share a chart as an image",
        "Use the share sheet to send a chart as an image to Messages, WhatsApp or Slack, with the title and date "
        "range included in the picture.",
        heat=2,
    ),
    _s(
        "iPad layout with more than one chart per row",
        "On the iPad the app is a stretched phone layout. Showing the dashboard grid like on desktop would make "
        "the iPad actually useful for reviewing.",
        UR,
        1,
    ),
    _s(
        "Apple Watch complication",
        "One number on my watch face (today's revenue). Yes, really. Some of us would love it.",
        DE,
        note="We love the enthusiasm! For now we're focusing on phone and tablet; the iOS widget (in progress) "
        "will cover the glanceable use case. We'll revisit if this keeps gathering votes.",
    ),
    _s(
        "Follow the system dark mode setting",
        "The app is always light, even though dark mode on the web is out. Please follow the phone's appearance "
        "setting.",
        SH,
        1,
    ),
    _s(
        "Switch between workspaces faster",
        "I belong to four workspaces (agency life). Switching requires going to settings and back. A switcher "
        "at the top of the dashboard list would be great.",
    ),
    _s(
        "Sign in with SSO on mobile",
        "Once SAML SSO is available on the web, the app needs it too; our policy won't allow password sign-in "
        "for anyone.",
        PL,
        1,
    ),
    _s(
        "Sign in by scanning a QR code from the desktop",
        "Typing a long password on the phone is painful. Show a QR code in the web app's settings that signs "
        "the phone in.",
    ),
    _s(
        "Quick date range presets on mobile",
        "The date picker on mobile takes 5 taps. Chips for *Today*, *7d*, *30d* and *QTD* above each dashboard "
        "would do.",
        SH,
    ),
    _s(
        "Favourites tab in the app",
        "A tab with just my starred dashboards, in the order I choose. The full list is too long to scroll on a phone.",
        heat=1,
    ),
    _s(
        "Support Android tablets",
        "The app is phone-only on Android; on our Samsung tablets it runs letterboxed. Tablet support like on "
        "the iPad would help our warehouse managers.",
    ),
    _s(
        "Use less data on cellular",
        "When roaming, I'd like the app to load charts at lower resolution and skip auto-refresh unless I'm on Wi-Fi.",
    ),
    _s(
        "Respect larger text sizes",
        "With *Larger Text* turned on in iOS accessibility settings, the app's labels stay tiny. Please support "
        "Dynamic Type.",
        IP,
    ),
    _s(
        "Add an annotation from the app",
        "During a campaign launch I'm away from my laptop. Being able to add a quick annotation from my phone "
        "would keep the context where it belongs.",
    ),
    _s(
        "Open dashboard links in the app",
        "Links to dashboards in emails and Slack open the mobile website, which then asks me to sign in again. "
        "They should open in the app (universal links / app links).",
        heat=1,
    ),
    _s(
        "Pull to refresh with a last-updated time",
        "Pull down to refresh a dashboard and show when the data was last updated. At the moment I close and "
        "reopen the app to be sure.",
    ),
    _s(
        "KPI summary on the app's start screen",
        "When I open the app, show the handful of numbers I care about right away instead of the dashboard list.",
        heat=1,
    ),
    _s(
        "Siri Shortcuts for key numbers",
        '"Hey Siri, how many sign-ups today?" would be a fun way to start a stand-up, and Shortcuts would let '
        "us put it in our own automations.",
    ),
    _s(
        "Mention notifications on mobile",
        "When someone @mentions me in a chart comment I'd like a push notification, with a reply box.",
    ),
]

BOARDS = {
    "feature-requests": (
        "Feature requests",
        "Ideas for dashboards, charts, reports and everything else in Acme Analytics. Please search before "
        "posting: if someone beat you to it, add your vote and tell us your use case in a comment.",
        Visibility.public,
        FEATURE_REQUESTS,
    ),
    "integrations": (
        "Integrations",
        "Data sources to connect, tools to send insights to, and improvements to the integrations we already have.",
        Visibility.public,
        INTEGRATIONS,
    ),
    "mobile": (
        "Mobile app",
        "Feedback on the Acme Analytics app for iOS and Android, which is in beta. Visible to members only.",
        Visibility.private,
        MOBILE,
    ),
}

# The Acme team: the demo admin owns the workspace; the others answer ideas as staff.
STAFF = [
    (ADMIN_EMAIL, "Alex Rivera", Role.owner),
    ("priya@acme.example", "Priya Natarajan", Role.admin),
    ("tom@acme.example", "Tom Becker", Role.staff),
    ("mei@acme.example", "Mei Lin", Role.staff),
]
CUSTOMER_NAME = "Casey Morgan"
# Ideas the demo customer posted, so they find their own ideas when signing in.
CUSTOMER_IDEAS = {"Weekly email digest of key metrics", "Share a chart as an image"}

FIRST_NAMES = [
    "Amara", "Ben", "Carla", "Dmitri", "Elena", "Farah", "Gabriel", "Hannah", "Ines", "Jonas", "Kenji", "Laura",
    "Marcus", "Nadia", "Oliver", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wesley", "Ximena",
    "Yusuf", "Zoe", "Aiden", "Bianca", "Chidi", "Dana", "Emil", "Fatima", "Grace", "Hugo", "Isla", "Jamal",
    "Kira", "Luis", "Maya", "Noah", "Olga", "Pedro", "Riya", "Sven", "Tomasz", "Uma", "Valentina", "Wei",
    "Yara", "Zane", "Anika", "Bruno", "Chloe", "Diego", "Esther", "Felix", "Giulia", "Henrik", "Ivy", "Jasper",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Lindqvist", "Moreau", "Petrov", "Santos", "Haddad", "Fischer", "Kowalski", "Nakamura", "Brennan",
    "Alvarez", "Chen", "Dubois", "Eriksen", "Gallagher", "Hoffmann", "Iyer", "Jansen", "Keller", "Larsen",
    "Mensah", "Novak", "O'Brien", "Park", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Walsh",
    "Yilmaz", "Zimmermann", "Abbott", "Bianchi", "Costa", "Das", "Evans", "Ferreira", "Gupta", "Horvat",
    "Ibrahim", "Jovanovic", "Kim", "Lopez", "Müller", "Nguyen", "Olsen", "Patel", "Reyes", "Sato", "Turner",
]  # fmt: skip
COMPANIES = [
    "northwind", "brightpath", "lumenhealth", "fernworks", "quillsoft", "harborlogistics", "tidalbank",
    "peakfitness", "copperleaf", "orbitmedia", "greenfieldag", "atlasfreight", "novalearn", "sableinsurance",
    "cobaltgames", "meridianhotels", "kitecommerce", "pinnaclehr", "riverstone", "bluejayagency", "vantaenergy",
    "mosaicretail", "arcadiatravel", "solsticebio", "ironcladsec", "willowcare", "zenithpay", "cascadeapps",
]  # fmt: skip
CUSTOMER_COUNT = 120

OPENERS = [
    "+1.", "Same here.", "We'd love this too.", "Adding our vote.", "Yes please!", "This would help us a lot.",
    "Big +1 from our team.", "Came here to ask for exactly this.", "Really hoping this gets picked up.",
    "Upvoted.", "", "", "", "",
]  # fmt: skip
CONTEXTS = [
    "Our team would use this every single day.",
    "About 60 people look at our dashboards every day, so small improvements here add up quickly.",
    "It came up again in our quarterly business review; leadership assumed it was already possible.",
    "We're consolidating our analytics tools and this is one of the last gaps on our checklist.",
    "Our customer success managers would use this in every renewal conversation.",
    "Our whole team has been asking for this since we signed up.",
    "This is the number one request from our sales ops team.",
    "We're on the Enterprise plan and this would make the rollout to the rest of the company much easier.",
    "We're an agency managing a dozen client workspaces, so anything that saves clicks matters to us.",
    "I'd use this several times a day.",
    "Our leadership team looks at Acme every week, and this would make their lives easier.",
    "This would make Acme a lot easier to recommend internally.",
    "I was surprised it wasn't there already when we started our trial.",
    "It would save our team a surprising amount of time.",
    "Our product managers and our analysts both asked me to vote for this.",
    "Most of our users aren't technical, so it needs to be simple, but even a basic version would help.",
    "We'd happily pay a bit more for this.",
    "Our previous analytics tool had this and people still mention it.",
    "It would make onboarding new hires a lot smoother.",
    "We run weekly reviews with the whole product team and this would change how we prepare for them.",
    "We're a small team without a data engineer, so built-in beats DIY for us every time.",
    "For us this is less about convenience and more about getting everyone to actually use Acme.",
    "We brought this up with our account manager as well.",
    "If I could change only one thing in Acme, it would be this.",
    "I showed the rest of the team this thread and they all asked me to upvote.",
    "It's the main thing our executives complain about when they open Acme.",
    "We evaluated three other tools last month and this is one area where they're ahead.",
    "We have the same problem across all four of our product lines.",
    "This would remove one of the few remaining frustrations our team has with Acme.",
    "We have people in three time zones working from the same dashboards, so this matters more than it might seem.",
    "Our support team would use it too, not just the product folks.",
    "This keeps coming up in our internal feedback channel.",
    "It's a small thing, but it's the kind of friction people notice every single day.",
    "We'd adopt it on day one across about 30 seats.",
    "We're growing fast and the current approach won't scale past this year.",
]
INTEGRATION_CONTEXTS = [
    "A native integration would let us drop a Zapier workflow that silently fails every few weeks.",
    "We currently pay for a separate tool just to glue these two together.",
    "Our IT team only approves tools that connect to what we already run, so this would unblock a wider rollout.",
    "This would close the last gap between Acme and the rest of our stack.",
    "We maintain a homegrown script for this and the person who wrote it left last spring.",
    "Happy to share our current setup if it helps with the design.",
    "It doesn't need to be fancy: a basic version would already cover most of what we need.",
    "Our current workaround is a nightly cron job that nobody wants to own.",
]
MOBILE_CONTEXTS = [
    "I check our numbers on my phone before the morning stand-up, so this matters a lot to me.",
    "Our field sales team lives on their phones and rarely opens a laptop.",
    "Most of our executives only ever use the app, never the web version.",
    "I travel a lot and this would make the app genuinely useful on the road.",
    "We rolled the app out to our store managers last month and this was their first request.",
    "On a phone every extra tap counts, so this would make a real difference.",
]
CLOSERS = [
    "Happy to join a beta.", "Any rough timeline?", "Thanks for considering it!",
    "Happy to share more details on a call.", "Is there a workaround in the meantime?", "Following.",
    "", "", "", "", "", "", "", "", "", "", "", "",
]  # fmt: skip
REPLIES = [
    "Same situation here.",
    "Agreed, we'd need it for exactly the same reason.",
    "Did you find a workaround in the meantime? We're stuck on the same thing.",
    "Same for us, it's a real pain point.",
    "Good point, I hadn't thought of that angle.",
    "Seconding this.",
    "Exactly our situation as well.",
    "Interesting, our use case is almost identical.",
    "Couldn't agree more.",
    "Thanks for writing this up so clearly.",
    "This, exactly. It would save us hours every month.",
    "Good to know we're not the only ones.",
]
STAFF_REPLIES = [
    "Thanks, that's a really helpful example. I've added it to our notes for this idea.",
    "Thanks! There's no built-in way to do this yet; the closest workaround is a saved query with a scheduled "
    "export. Happy to help set it up if you email support.",
    "Thanks for the detail. Would you be up for a 20-minute call with our designer about this? Reply here and "
    "I'll reach out.",
    "Appreciate the context. Knowing how many people this affects on your side helps us prioritise.",
    "Noted, thank you! We'll make sure this case is covered when we get to it.",
]
STATUS_NOTES = {
    IdeaStatus.under_review: [
        "Thanks for the detailed write-up! We're looking into this now. How often would you use it, roughly?",
        "Good suggestion. We're reviewing this with the team and will update the status here when we know more.",
        "We've heard this from several customers lately, so it's now under review. Votes and use cases in the "
        "comments really help us size it.",
    ],
    IdeaStatus.planned: [
        "This is on our roadmap for next quarter. We'll post here when there's something to try.",
        "Good news: we've planned this. Design work starts in the coming weeks. If you'd like to take part in "
        "user interviews, reply here.",
        "Planned! We'll keep this thread updated as it moves along.",
    ],
    IdeaStatus.in_progress: [
        "We've started building this. An early version should land behind a feature flag in a few weeks.",
        "In progress now. If you'd like early access, comment here and we'll enable it on your workspace.",
        "Our team is actively working on this. Thanks everyone for the votes and the examples!",
    ],
    IdeaStatus.shipped: [
        "This is live for everyone! Thanks to all of you who voted and shared examples. Let us know how it "
        "works for you.",
        "Shipped 🎉 It's rolling out to all workspaces today. See the changelog for the details, and tell us here "
        "if anything's missing.",
        "Now available on all plans. Thanks for your patience and for the great feedback along the way.",
    ],
    IdeaStatus.declined: [
        "Thanks for the suggestion. After a lot of discussion we've decided not to build this, as it would pull "
        "us away from our core analytics work. Comments stay open if you want to add anything.",
    ],
}
STATUS_REACTIONS = {
    IdeaStatus.under_review: [
        "Sure! We'd use it weekly, mostly to prepare our leadership review.",
        "Daily, for our team. Happy to show you our current workaround.",
        "Thanks for looking into it!",
    ],
    IdeaStatus.planned: [
        "Great news, thank you!",
        "Fantastic. Happy to test an early version.",
        "Really glad to see this on the roadmap.",
        "Count me in for the user interviews.",
    ],
    IdeaStatus.in_progress: [
        "Please enable it on our workspace, we'd love to try it!",
        "Exciting! Looking forward to it.",
        "Great to hear. Happy to give feedback on the beta.",
    ],
    IdeaStatus.shipped: [
        "Thank you! Already using it and it works great.",
        "Just tried it, this is exactly what we needed. Thanks team!",
        "Amazing, this saves us so much time.",
        "Works well! One small thing: it would be nice to have it on the mobile app too.",
        "Thanks for listening to customers, really appreciated.",
    ],
    IdeaStatus.declined: [
        "That's a shame, but I understand the reasoning.",
        "Fair enough, thanks for explaining.",
    ],
}


@dataclass(frozen=True)
class DemoResult:
    """What `ideaflow demo` tells the person who ran it."""

    created: bool
    boards: int
    ideas: int
    votes: int
    comments: int
    people: int
    slug: str = SLUG
    name: str = NAME
    admin_email: str = ADMIN_EMAIL
    customer_email: str = CUSTOMER_EMAIL
    password: str = PASSWORD

    def describe(self, base_url: str) -> str:
        base = base_url.rstrip("/")
        headline = (
            f'Created the demo workspace "{self.name}".'
            if self.created
            else f'The demo workspace "{self.name}" already exists; nothing was changed.'
        )
        return "\n".join(
            [
                headline,
                f"  {self.boards} boards, {self.ideas} ideas, {self.votes:,} votes, {self.comments:,} comments "
                f"from {self.people} people.",
                "",
                f"  Portal:    {base}/{self.slug}",
                f"  Admin:     {self.admin_email}  password: {self.password}  (owner: triage, statuses, boards)",
                f"  Customer:  {self.customer_email}  password: {self.password}  (member: post, vote, comment)",
                f"  API docs:  {base}/docs",
                "",
                "  The Mobile app board is private: sign in to see it.",
            ]
        )


async def seed(session: AsyncSession, *, if_missing: bool = False) -> DemoResult:
    """Create the demo workspace, or (with if_missing) describe the one that is already there."""
    existing = await workspace_repository.get_by_slug(session, SLUG)
    if existing is not None:
        if not if_missing:
            raise Conflict(
                f"The demo workspace already exists at /{SLUG}. Use --if-missing to leave it as it is.",
                fields={"slug": "is already taken"},
            )
        return await _summary(session, existing, created=False)
    workspace = await _Builder(session).build()
    return await _summary(session, workspace, created=True)


async def _summary(session: AsyncSession, workspace: Workspace, *, created: bool) -> DemoResult:
    async def count(stmt) -> int:
        return int(await session.scalar(stmt) or 0)

    ws = workspace.id
    return DemoResult(
        created=created,
        boards=await count(select(func.count()).select_from(Board).where(Board.workspace_id == ws)),
        ideas=await count(
            select(func.count()).select_from(Idea).where(Idea.workspace_id == ws, Idea.deleted_at.is_(None))
        ),
        votes=await count(select(func.count()).select_from(Vote).where(Vote.workspace_id == ws)),
        comments=await count(
            select(func.count()).select_from(Comment).where(Comment.workspace_id == ws, Comment.deleted_at.is_(None))
        ),
        people=await count(select(func.count()).select_from(Membership).where(Membership.workspace_id == ws)),
    )


@dataclass
class _Person:
    user: User
    joined_at: datetime
    # How active they are: a few people vote and comment a lot, most now and then.
    weight: float


@dataclass
class _CommentPlan:
    author: _Person
    body: str
    at: datetime
    replies: list[_CommentPlan] = field(default_factory=list)
    deleted_at: datetime | None = None


@dataclass
class _IdeaPlan:
    seed: _Seed
    board: Board
    author: _Person
    created_at: datetime
    status: IdeaStatus
    # When the status last changed (equal to created_at for open ideas).
    status_at: datetime
    votes: list[tuple[_Person, datetime]] = field(default_factory=list)
    comments: list[_CommentPlan] = field(default_factory=list)
    response: _CommentPlan | None = None
    notes: list[_CommentPlan] = field(default_factory=list)


class _Builder:
    """Plans the whole history in Python first (deterministic), then writes it in a few bulk statements."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.rng = random.Random(RANDOM_SEED)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.start = self.now - timedelta(days=HISTORY_DAYS)
        self.half_life = get_settings().trending_half_life_hours

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(seconds=round(days * 86400))

    def between(self, start: datetime, end: datetime, skew: float = 1.0) -> datetime:
        """A moment in [start, end]; skew > 1 favours the start, as activity does after a post."""
        if end <= start:
            return end
        span = (end - start).total_seconds()
        return start + timedelta(seconds=round(span * self.rng.random() ** skew))

    async def build(self) -> Workspace:
        admin = await account_service.sign_up(
            session=self.session, email=ADMIN_EMAIL, name=STAFF[0][1], password=PASSWORD
        )
        workspace = await workspace_service.create_workspace(self.session, user=admin, name=NAME, slug=SLUG)
        workspace.created_at = admin.created_at = self.ago(HISTORY_DAYS + 20)
        staff, customers, demo_customer = await self._people(workspace, admin)
        boards = await self._boards(workspace, admin)
        plans = self._plan_ideas(boards, customers, demo_customer)
        for plan in plans:
            self._plan_votes(plan, customers)
            self._plan_comments(plan, staff, customers)
        await self._write(workspace, plans)
        return workspace

    async def _people(self, workspace: Workspace, admin: User) -> tuple[list[_Person], list[_Person], _Person]:
        rng = self.rng
        wanted: list[tuple[str, str, Role, datetime, float]] = [
            (email, name, role, self.ago(HISTORY_DAYS + 20 - i), 1.0) for i, (email, name, role) in enumerate(STAFF)
        ]
        wanted.append((CUSTOMER_EMAIL, CUSTOMER_NAME, Role.member, self.ago(HISTORY_DAYS + 5), 2.5))
        pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(pairs)
        emails = {w[0] for w in wanted}
        uses: dict[str, int] = {}
        for first, last in pairs:
            if len(wanted) == len(STAFF) + 1 + CUSTOMER_COUNT:
                break
            # No more than two people share a first name, or three a last name: threads stay easy to follow.
            if uses.get(first, 0) >= 2 or uses.get(last, 0) >= 3:
                continue
            local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
            email = f"{local}@{rng.choice(COMPANIES)}.example"
            if email in emails:
                continue
            emails.add(email)
            uses[first], uses[last] = uses.get(first, 0) + 1, uses.get(last, 0) + 1
            # A third were customers before the portal opened; the rest joined over the months since.
            joined = (
                self.ago(HISTORY_DAYS + rng.uniform(0, 15))
                if rng.random() < 0.35
                else self.between(self.start, self.ago(7), skew=0.8)
            )
            wanted.append((email, f"{first} {last}", Role.member, joined, min(6.0, rng.paretovariate(1.6))))

        # Every demo account shares the demo password, so one argon2 hash (the admin's) serves them all.
        # Accounts left over from an earlier demo (whose workspace was deleted) are reused as they are.
        found = {
            u.email: u for u in await self.session.scalars(select(User).where(User.email.in_([w[0] for w in wanted])))
        }
        users = {ADMIN_EMAIL: admin}
        new_users = []
        for email, name, _, joined, _ in wanted[1:]:
            user = found.get(email)
            if user is None:
                user = User(email=email, name=name, password_hash=admin.password_hash, created_at=joined)
                new_users.append(user)
            users[email] = user
        self.session.add_all(new_users)
        await self.session.flush()

        await self.session.execute(
            update(Membership)
            .where(Membership.workspace_id == workspace.id, Membership.user_id == admin.id)
            .values(created_at=wanted[0][3])
        )
        await self.session.execute(
            insert(Membership),
            [
                {"workspace_id": workspace.id, "user_id": users[email].id, "role": role, "created_at": joined}
                for email, _, role, joined, _ in wanted[1:]
            ],
        )
        people = [_Person(users[email], joined, weight) for email, _, _, joined, weight in wanted]
        staff, customers = people[: len(STAFF)], people[len(STAFF) :]
        return staff, customers, customers[0]

    async def _boards(self, workspace: Workspace, admin: User) -> dict[str, Board]:
        ctx = WorkspaceContext(workspace=workspace, user=admin, role=Role.owner)
        boards: dict[str, Board] = {}
        for slug, (name, description, visibility, _) in BOARDS.items():
            board = await board_repository.get_by_slug(self.session, workspace.id, slug)
            if board is None:
                board = await board_service.create_board(
                    self.session, ctx, name=name, slug=slug, description=description, visibility=visibility
                )
            else:  # the default board every workspace starts with
                board = await board_service.update_board(self.session, ctx, board, name=name, description=description)
            boards[slug] = board
        # The mobile beta opened two months into the portal's life.
        boards["feature-requests"].created_at = boards["integrations"].created_at = workspace.created_at
        boards["mobile"].created_at = self.ago(HISTORY_DAYS - 60)
        return boards

    def _plan_ideas(
        self, boards: dict[str, Board], customers: list[_Person], demo_customer: _Person
    ) -> list[_IdeaPlan]:
        rng = self.rng
        min_age = {
            IdeaStatus.open: 0.05,
            IdeaStatus.under_review: 6,
            IdeaStatus.planned: 25,
            IdeaStatus.in_progress: 35,
            IdeaStatus.shipped: 50,
            IdeaStatus.declined: 30,
        }
        plans = []
        for slug, (_, _, _, seeds) in BOARDS.items():
            board = boards[slug]
            oldest = min((self.now - board.created_at).total_seconds() / 86400, HISTORY_DAYS) - 1
            for seed in seeds:
                status = seed.status or IdeaStatus.open
                # More ideas arrive as the portal grows, so recent weeks are busier than the first ones.
                low = min_age[status]
                created = self.ago(low + (oldest - low) * rng.random() ** 1.35)
                if seed.title in CUSTOMER_IDEAS:
                    author = demo_customer
                else:
                    eligible = [p for p in customers[1:] if p.joined_at < created]
                    author = rng.choices(eligible, weights=[p.weight for p in eligible])[0]
                status_at = created
                if status != IdeaStatus.open:
                    age = (self.now - created).total_seconds()
                    status_at = created + timedelta(seconds=round(age * rng.uniform(0.3, 0.9)))
                plans.append(_IdeaPlan(seed, board, author, created, status, status_at))
        plans.sort(key=lambda p: p.created_at)
        return plans

    def _vote_target(self, heat: int) -> int:
        rng = self.rng
        if heat == 3:
            return rng.randint(40, 95)
        if heat == 2:
            return rng.randint(18, 38)
        if heat == 1:
            return rng.randint(4, 16)
        return min(14, int(1.5 * rng.paretovariate(1.2)) - 1 + rng.randint(0, 2))

    def _plan_votes(self, plan: _IdeaPlan, customers: list[_Person]) -> None:
        rng = self.rng
        closed = not _accepts_votes(plan.status)
        end = plan.status_at if closed else self.now
        # Some open ideas get a second wind (shared in a newsletter, mentioned on a call): trending shows them.
        burst = not closed and rng.random() < 0.15 and plan.created_at < self.ago(10)
        times = []
        for _ in range(self._vote_target(plan.seed.heat)):
            if burst and rng.random() < 0.4:
                times.append(self.between(self.ago(6), self.now))
            else:
                times.append(self.between(plan.created_at + timedelta(minutes=3), end, skew=2.2))
        times.sort()
        voted: set[int] = set()
        for at in times:
            eligible = [p for p in customers if p.joined_at < at and p.user.id not in voted]
            if not eligible:
                continue
            person = rng.choices(eligible, weights=[p.weight for p in eligible])[0]
            voted.add(person.user.id)
            plan.votes.append((person, at))

    def _customer_comment(self, plan: _IdeaPlan, taken: set[str]) -> str:
        rng = self.rng
        contexts = CONTEXTS + {"integrations": INTEGRATION_CONTEXTS, "mobile": MOBILE_CONTEXTS * 3}.get(
            plan.board.slug, []
        )
        # Nobody on the same idea gives the same reason twice.
        context = rng.choice([c for c in contexts if c not in taken] or contexts)
        taken.add(context)
        return " ".join(part for part in (rng.choice(OPENERS), context, rng.choice(CLOSERS)) if part)

    def _plan_comments(self, plan: _IdeaPlan, staff: list[_Person], customers: list[_Person]) -> None:
        rng = self.rng
        voters = [person for person, _ in plan.votes] or [plan.author]
        # Roughly one comment per eight votes; quiet ideas get the odd comment.
        expected = len(plan.votes) / 8 if len(plan.votes) >= 4 else 0.0
        count = min(max(0, round(rng.gauss(expected, 1.0))), 9, len(voters))
        contexts_used: set[str] = set()
        replies = rng.sample(REPLIES, len(REPLIES))
        # Requests and "+1"s stop once an idea has shipped or been declined.
        talk_end = plan.status_at if plan.status in (IdeaStatus.shipped, IdeaStatus.declined) else self.now
        comments: list[_CommentPlan] = []
        for person in rng.sample(voters, count):
            at = self.between(max(plan.created_at, person.joined_at) + timedelta(minutes=10), talk_end, skew=1.8)
            comment = _CommentPlan(person, self._customer_comment(plan, contexts_used), at)
            comments.append(comment)
            if at > talk_end - timedelta(days=1):
                continue  # too recent to have been answered
            if rng.random() < 0.3:
                others = [p for p in customers if p is not person and p.joined_at < at]
                for _ in range(min(rng.choice((1, 1, 2)), len(replies))):
                    reply_at = self.between(at + timedelta(minutes=20), talk_end, skew=3.0)
                    comment.replies.append(_CommentPlan(rng.choice(others), replies.pop(), reply_at))
            elif rng.random() < 0.12:
                reply_at = self.between(at + timedelta(hours=2), talk_end, skew=3.0)
                comment.replies.append(_CommentPlan(rng.choice(staff), rng.choice(STAFF_REPLIES), reply_at))
        # Now and then a comment was removed by its author or a moderator; its replies keep their place.
        for comment in comments:
            if comment.replies and comment.author not in staff and rng.random() < 0.08:
                comment.deleted_at = self.between(min(r.at for r in comment.replies), self.now)
        if plan.status != IdeaStatus.open:
            # The staff's answer is the idea's official response, posted with the status change.
            note = plan.seed.note or rng.choice(STATUS_NOTES[plan.status])
            plan.response = _CommentPlan(rng.choice(staff), note, plan.status_at)
            if plan.seed.heat or rng.random() < 0.4:
                reactions = STATUS_REACTIONS[plan.status]
                repliers = rng.sample(voters, min(len(voters), rng.randint(1, 2)))
                for replier, reaction in zip(repliers, rng.sample(reactions, len(repliers)), strict=True):
                    reaction_at = self.between(plan.status_at + timedelta(minutes=30), self.now, skew=2.5)
                    comments.append(_CommentPlan(replier, reaction, reaction_at))
        if plan.seed.heat >= 2 and rng.random() < 0.5:
            plan.notes.append(
                _CommentPlan(rng.choice(staff), rng.choice(INTERNAL_NOTES), self.between(plan.created_at, self.now))
            )
        for comment in comments:
            comment.replies.sort(key=lambda c: c.at)
        plan.comments = sorted(comments, key=lambda c: c.at)

    async def _write(self, workspace: Workspace, plans: list[_IdeaPlan]) -> None:
        ideas = []
        for number, plan in enumerate(plans, start=1):
            score = trending.point(plan.created_at, self.half_life)
            # Exactly what the vote service does, one vote at a time in the order they were cast.
            for _, at in plan.votes:
                score = trending.add(score, trending.point(at, self.half_life))
            body = idea_service.clean_body(plan.seed.body)
            ideas.append(
                Idea(
                    workspace_id=workspace.id,
                    board_id=plan.board.id,
                    author_id=plan.author.user.id,
                    number=number,
                    title=idea_service.clean_title(plan.seed.title),
                    body=body,
                    body_html=markdown.render(body),
                    status=plan.status.value,
                    status_category=CATEGORY[plan.status.value],
                    vote_count=len(plan.votes),
                    comment_count=sum(
                        (c.deleted_at is None) + sum(r.deleted_at is None for r in c.replies) for c in plan.comments
                    ),
                    trending_score=score,
                    created_at=plan.created_at,
                    updated_at=plan.status_at,
                )
            )
        self.session.add_all(ideas)
        await self.session.flush()
        workspace.idea_seq = len(ideas)

        votes = [
            {"workspace_id": workspace.id, "idea_id": idea.id, "user_id": person.user.id, "created_at": at}
            for idea, plan in zip(ideas, plans, strict=True)
            for person, at in plan.votes
        ]
        for start in range(0, len(votes), 2000):
            await self.session.execute(insert(Vote), votes[start : start + 2000])
        # Votes went in as rows, not through voting: compute the stored demand and confidence from them once.
        await ranking_service.refresh_scores(self.session, workspace_id=workspace.id, idea_ids=[i.id for i in ideas])

        def row(idea: Idea, comment: _CommentPlan, parent_id: int | None = None) -> Comment:
            return Comment(
                workspace_id=workspace.id,
                idea_id=idea.id,
                author_id=comment.author.user.id,
                parent_id=parent_id,
                body=comment.body,
                body_html=markdown.render(comment.body),
                created_at=comment.at,
                updated_at=comment.at,
                deleted_at=comment.deleted_at,
            )

        top = [(row(idea, c), c, idea) for idea, plan in zip(ideas, plans, strict=True) for c in plan.comments]
        self.session.add_all([r for r, _, _ in top])
        await self.session.flush()
        # Replies are inserted in time order too, so "oldest first" by id reads naturally.
        replies = sorted(
            ((reply, parent_row, idea) for parent_row, c, idea in top for reply in c.replies), key=lambda t: t[0].at
        )
        self.session.add_all([row(idea, reply, parent_row.id) for reply, parent_row, idea in replies])
        await self.session.flush()
        await self._write_triage(workspace, ideas, plans)

    async def _write_triage(self, workspace: Workspace, ideas: list[Idea], plans: list[_IdeaPlan]) -> None:
        """Official responses with the timeline and audit rows of the status changes, tags, internal notes."""
        rng = self.rng
        answered = [(idea, plan) for idea, plan in zip(ideas, plans, strict=True) if plan.response is not None]
        responses = [
            OfficialResponse(
                workspace_id=workspace.id,
                idea_id=idea.id,
                author_id=plan.response.author.user.id,
                body=plan.response.body,
                body_html=markdown.render(plan.response.body),
                created_at=plan.response.at,
                updated_at=plan.response.at,
                edit_count=0,
            )
            for idea, plan in answered
        ]
        self.session.add_all(responses)
        await self.session.flush()
        revisions, entries, audit_rows = [], [], []
        for response, (idea, plan) in zip(responses, answered, strict=True):
            actor = plan.response.author.user.id
            revisions.append(
                ResponseRevision(
                    workspace_id=workspace.id,
                    response_id=response.id,
                    editor_id=actor,
                    body=response.body,
                    body_html=response.body_html,
                    created_at=response.created_at,
                )
            )
            entries.append(
                TimelineEntry(
                    workspace_id=workspace.id,
                    idea_id=idea.id,
                    actor_id=actor,
                    kind=TimelineKind.status_changed.value,
                    from_status=IdeaStatus.open.value,
                    to_status=plan.status.value,
                    response_id=response.id,
                    source="staff",
                    created_at=plan.status_at,
                )
            )
            audit_rows.append(
                AuditEvent(
                    workspace_id=workspace.id,
                    actor_id=actor,
                    action="idea.status_changed",
                    target_type="idea",
                    target_id=idea.id,
                    before={"status": IdeaStatus.open.value},
                    after={"status": plan.status.value, "response_id": response.id, "source": "staff"},
                    created_at=plan.status_at,
                )
            )
        # One shipped idea's answer was corrected after posting: its history shows both versions.
        shipped = [(r, plan) for r, (_, plan) in zip(responses, answered, strict=True) if plan.status == SH]
        if shipped:
            response, plan = shipped[0]
            edited_at = self.between(plan.status_at + timedelta(hours=1), plan.status_at + timedelta(days=1))
            first = response.body
            response.body = first + "\n\nUpdate: it works on shared dashboards too."
            response.body_html = markdown.render(response.body)
            response.updated_at, response.edit_count = edited_at, 1
            revisions.append(
                ResponseRevision(
                    workspace_id=workspace.id,
                    response_id=response.id,
                    editor_id=response.author_id,
                    body=response.body,
                    body_html=response.body_html,
                    created_at=edited_at,
                )
            )
        self.session.add_all(revisions + entries + audit_rows)

        tags = [
            Tag(workspace_id=workspace.id, name=name, colour=colour, created_at=workspace.created_at)
            for name, colour, _ in TAGS
        ]
        self.session.add_all(tags)
        await self.session.flush()
        links = []
        for idea, plan in zip(ideas, plans, strict=True):
            text = f"{plan.seed.title} {plan.seed.body}".lower()
            matching = [tag for tag, (_, _, words) in zip(tags, TAGS, strict=True) if any(w in text for w in words)]
            # Staff tagged most ideas they read, not every one.
            for tag in matching[:2]:
                if rng.random() < 0.85:
                    links.append(
                        {
                            "workspace_id": workspace.id,
                            "idea_id": idea.id,
                            "tag_id": tag.id,
                            "created_at": idea.created_at,
                        }
                    )
        if links:
            await self.session.execute(insert(IdeaTag), links)
        notes = [
            Comment(
                workspace_id=workspace.id,
                idea_id=idea.id,
                author_id=note.author.user.id,
                body=note.body,
                body_html=markdown.render(note.body),
                internal=True,
                created_at=note.at,
                updated_at=note.at,
            )
            for idea, plan in zip(ideas, plans, strict=True)
            for note in plan.notes
        ]
        self.session.add_all(notes)
        await self.session.execute(
            update(Board)
            .where(Board.workspace_id == workspace.id, Board.slug == "feature-requests")
            .values(customers_can_tag=True)
        )
        await self.session.flush()

"""Shapes of the OKR resources in the API. Computed fields are read-only; writes go through services."""

from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import selectors as account_selectors
from accounts.api import ScopedPrimaryKeyRelatedField
from accounts.models import Team
from common.api import StrictSerializerMixin
from common.choices import GuardrailComparison
from okrs import selectors
from okrs.choices import ScoreColour
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority
from okrs.services.objectives import KEY_RESULT_EDITABLE, OBJECTIVE_EDITABLE

TIMESTAMPS = ["created_at", "updated_at"]
COMPUTED = "computed by the progress rules from check-ins, weights and the cycle's dates"
COMPUTED_REASONS = {
    "progress": COMPUTED,
    "expected_progress": COMPUTED,
    "attainment": COMPUTED,
    "status": COMPUTED,
    "last_check_in_at": gettext_lazy("it is the time of the latest check-in"),
}


def members(organization):
    return account_selectors.user_list(organization=organization)


def teams(organization):
    return Team.objects.filter(organization=organization)


def cycles(organization):
    return Cycle.objects.filter(organization=organization)


def priorities(organization):
    return Priority.objects.filter(organization=organization)


def objectives(organization):
    return Objective.objects.filter(cycle__organization=organization)


def kpis(organization):
    return selectors.kpi_choices(organization=organization)


def key_results(organization):
    return KeyResult.objects.filter(objective__cycle__organization=organization)


class TeamSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A team of your organization; teams nest through `parent`."""

    parent = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    lead = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "parent", "lead", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class CycleSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A planning period (a quarter, say) with its state."""

    class Meta:
        model = Cycle
        fields = ["id", "name", "start", "end", "state", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class PrioritySerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A company priority that objectives align to."""

    owner = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)

    class Meta:
        model = Priority
        fields = ["id", "title", "description", "owner", "order", "weight", "active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


OBJECTIVE_COMPUTED = [
    "progress",
    "expected_progress",
    "status",
    "last_check_in_at",
    "score",
    "closed_at",
    "guardrail_breached",
    "forecast",
    "movers",
]
FRACTION = {"max_digits": 9, "decimal_places": 4}
FORECAST_HELP = (
    "null with fewer than three points (the start value and check-ins), for milestones and once closed"
)


class ObjectiveForecastSerializer(serializers.Serializer):
    """Where the objective's progress is expected to be at the cycle's end."""

    progress = serializers.DecimalField(**FRACTION, help_text="Forecast progress (0–1) at the cycle's end.")
    low = serializers.DecimalField(**FRACTION, help_text="Low end of the 80 % interval.")
    high = serializers.DecimalField(**FRACTION, help_text="High end of the 80 % interval.")
    probability = serializers.DecimalField(
        **FRACTION,
        allow_null=True,
        help_text="Weighted mean of its key results' probabilities of reaching their targets (0–1).",
    )
    date = serializers.DateField(help_text="The cycle's last day.")


class KeyResultForecastSerializer(serializers.Serializer):
    """Where the key result's value is expected to be on its due date."""

    value = serializers.DecimalField(max_digits=18, decimal_places=4, help_text="Projected value.")
    low = serializers.DecimalField(max_digits=18, decimal_places=4, help_text="Low end of the 80 % interval.")
    high = serializers.DecimalField(
        max_digits=18, decimal_places=4, help_text="High end of the 80 % interval."
    )
    probability = serializers.DecimalField(
        **FRACTION, allow_null=True, help_text="Probability (0–1) of reaching the target by the due date."
    )
    date = serializers.DateField(help_text="The due date the projection is for.")


class MoverSerializer(serializers.Serializer):
    key_result = serializers.IntegerField(help_text="A key result's id.")
    change = serializers.DecimalField(
        **FRACTION, help_text="Its contribution to the progress change over the window (fraction, signed)."
    )


class MoversSerializer(serializers.Serializer):
    """The key results that moved the progress most, biggest first."""

    last_7_days = MoverSerializer(many=True)
    last_30_days = MoverSerializer(many=True)


def movers_data(stored: dict) -> dict:
    return {
        f"last_{days}_days": [
            {"key_result": pk, "change": change} for pk, change in (stored or {}).get(days, [])
        ]
        for days in ("7", "30")
    }


class GuardrailSummarySerializer(serializers.Serializer):
    """A guardrail of the key result (manage them at /api/v1/guardrails/)."""

    id = serializers.IntegerField(read_only=True)
    kpi = serializers.IntegerField(source="kpi_id", read_only=True)
    comparison = serializers.ChoiceField(choices=GuardrailComparison.choices, read_only=True)
    limit = serializers.DecimalField(max_digits=20, decimal_places=6, read_only=True)
    value = serializers.DecimalField(max_digits=30, decimal_places=6, read_only=True, allow_null=True)
    breached = serializers.BooleanField(read_only=True)
    evaluated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ObjectiveSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """An objective; `progress`, `expected_progress` and `status` are computed."""

    cycle = ScopedPrimaryKeyRelatedField(scope=cycles)
    owner = ScopedPrimaryKeyRelatedField(scope=members)
    team = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    priority = ScopedPrimaryKeyRelatedField(scope=priorities, allow_null=True, required=False)
    parent = ScopedPrimaryKeyRelatedField(scope=objectives, allow_null=True, required=False)
    key_results = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    expected_score = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        read_only=True,
        help_text="What the objective is expected to score: 1.00 when committed, 0.70 when aspirational.",
    )
    forecast = serializers.SerializerMethodField(
        help_text=f"The forecast at the cycle's end; {FORECAST_HELP}."
    )
    movers = serializers.SerializerMethodField(
        help_text="The key results that moved its progress most over the last 7 and 30 days."
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            *OBJECTIVE_EDITABLE,
            "key_results",
            *OBJECTIVE_COMPUTED,
            "expected_score",
            *TIMESTAMPS,
        ]
        read_only_fields = [*OBJECTIVE_COMPUTED, *TIMESTAMPS]

    read_only_reasons = {
        **COMPUTED_REASONS,
        "key_results": gettext_lazy("add key results at /api/v1/key-results/ with this objective's id"),
        "score": gettext_lazy("it is the weighted mean of its key results' scores once it closes"),
        "closed_at": gettext_lazy(
            "it is set when the objective closes (by its state or its cycle's close action)"
        ),
        "expected_score": gettext_lazy("it follows from the objective's type"),
        "guardrail_breached": gettext_lazy(
            "it is set while a guardrail of one of its key results is breached"
        ),
        "forecast": COMPUTED,
        "movers": COMPUTED,
    }

    @extend_schema_field(ObjectiveForecastSerializer(allow_null=True))
    def get_forecast(self, objective):
        if objective.forecast_progress is None:
            return None
        return ObjectiveForecastSerializer(
            {
                "progress": objective.forecast_progress,
                "low": objective.forecast_low,
                "high": objective.forecast_high,
                "probability": objective.forecast_probability,
                "date": objective.cycle.end,
            }
        ).data

    @extend_schema_field(MoversSerializer)
    def get_movers(self, objective):
        return MoversSerializer(movers_data(objective.movers)).data


KEY_RESULT_COMPUTED = [
    "current_value",
    "attainment",
    "progress",
    "expected_progress",
    "status",
    "last_check_in_at",
    "score",
    "score_reason",
    "score_colour",
    "forecast",
    "guardrails",
    "guardrail_breached",
]


class KeyResultSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A key result; its value changes only through check-ins, and the rest of its figures are computed."""

    objective = ScopedPrimaryKeyRelatedField(scope=objectives)
    owner = ScopedPrimaryKeyRelatedField(scope=members)
    due_date = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to the end of the objective's cycle."
    )
    kpi = ScopedPrimaryKeyRelatedField(
        scope=kpis,
        allow_null=True,
        required=False,
        help_text="A KPI of the organization this key result follows; its value then comes from the KPI.",
    )
    score_colour = serializers.ChoiceField(
        choices=ScoreColour.choices,
        read_only=True,
        allow_null=True,
        help_text="The score's colour: red below 0.4, yellow below 0.7, green from 0.7; null while unscored.",
    )
    forecast = serializers.SerializerMethodField(help_text=f"The forecast at the due date; {FORECAST_HELP}.")
    guardrails = GuardrailSummarySerializer(many=True, read_only=True)

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "objective",
            *KEY_RESULT_EDITABLE,
            *KEY_RESULT_COMPUTED,
            *TIMESTAMPS,
        ]
        read_only_fields = [*KEY_RESULT_COMPUTED, *TIMESTAMPS]

    read_only_reasons = {
        **COMPUTED_REASONS,
        "current_value": gettext_lazy("it changes only through check-ins (POST /api/v1/check-ins/)"),
        "score": gettext_lazy(
            "the key result is scored when its cycle closes, and then adjusted only with a reason"
        ),
        "score_reason": gettext_lazy("it is the reason given with a score adjustment"),
        "score_colour": gettext_lazy("it follows from the score"),
        "forecast": COMPUTED,
        "guardrails": gettext_lazy("manage them at /api/v1/guardrails/"),
        "guardrail_breached": gettext_lazy("it is set while one of its guardrails is breached"),
    }

    @extend_schema_field(KeyResultForecastSerializer(allow_null=True))
    def get_forecast(self, key_result):
        if key_result.forecast_value is None:
            return None
        return KeyResultForecastSerializer(
            {
                "value": key_result.forecast_value,
                "low": key_result.forecast_low,
                "high": key_result.forecast_high,
                "probability": key_result.forecast_probability,
                "date": key_result.due_date,
            }
        ).data

    def validate_objective(self, objective):
        if self.instance is not None and objective.pk != self.instance.objective_id:
            raise serializers.ValidationError("A key result cannot move to another objective.")
        return objective


class CheckInSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A reported value of a key result, with the reporter's confidence."""

    key_result = ScopedPrimaryKeyRelatedField(scope=key_results)
    checked_in_at = serializers.DateTimeField(
        required=False, help_text="When the value was observed; defaults to now."
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "key_result",
            "value",
            "confidence",
            "note",
            "checked_in_at",
            "source",
            "previous_value",
            "author",
            "created_at",
        ]
        read_only_fields = ["source", "previous_value", "author", "created_at"]

    read_only_reasons = {
        "source": gettext_lazy("check-ins sent through the API are recorded with source api"),
        "previous_value": gettext_lazy("it is the key result's value before this check-in"),
        "author": gettext_lazy("it is the user the token or session belongs to"),
    }


# The alignment tree: read-only, nested, built from rows already loaded by one selector call.


class AlignmentKeyResultSerializer(serializers.ModelSerializer):
    """A key result in the alignment tree."""

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "title",
            "owner",
            "kind",
            "unit",
            "start_value",
            "target_value",
            "current_value",
            "progress",
            "expected_progress",
            "status",
            "last_check_in_at",
        ]
        read_only_fields = fields


class AlignmentObjectiveSerializer(serializers.ModelSerializer):
    """An objective in the alignment tree, with its key results and child objectives."""

    key_results = AlignmentKeyResultSerializer(many=True, read_only=True)
    children = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "owner",
            "team",
            "priority",
            "parent",
            "state",
            "progress",
            "expected_progress",
            "status",
            "last_check_in_at",
            "key_results",
            "children",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {"$ref": "#/components/schemas/AlignmentObjective"},
            "description": "Child objectives, each in this same shape.",
        }
    )
    def get_children(self, objective) -> list[dict]:
        # The children were attached by the selector from rows already loaded: no query here.
        return AlignmentObjectiveSerializer(objective.tree_children, many=True, context=self.context).data


class AlignmentPrioritySerializer(serializers.Serializer):
    """A priority with its roll-up and the objectives aligned to it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    progress = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    expected_progress = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    status = serializers.CharField(allow_null=True)
    movers = serializers.SerializerMethodField(
        help_text="The key results that moved the priority's progress most over the last 7 and 30 days."
    )
    objectives = AlignmentObjectiveSerializer(many=True)

    @extend_schema_field(MoversSerializer)
    def get_movers(self, priority):
        return MoversSerializer(movers_data(priority.get("movers"))).data


class AlignmentCycleSerializer(serializers.ModelSerializer):
    """The cycle of an alignment tree."""

    class Meta:
        model = Cycle
        fields = ["id", "name", "start", "end", "state"]
        read_only_fields = fields


class AlignmentSerializer(serializers.Serializer):
    """The alignment tree of one cycle."""

    cycle = AlignmentCycleSerializer()
    priorities = AlignmentPrioritySerializer(many=True)
    unaligned = AlignmentObjectiveSerializer(
        many=True, help_text="Objectives of the cycle with neither a priority nor a parent objective."
    )


# The lifecycle verbs: closing a cycle from its preview, reopening an objective, adjusting a score.


class ReopenSerializer(StrictSerializerMixin, serializers.Serializer):
    """Why a closed objective is reopened; the reason is kept in its state history."""

    reason = serializers.CharField(max_length=2000, help_text="Why the objective is reopened (required).")


class ScoreAdjustSerializer(StrictSerializerMixin, serializers.Serializer):
    """A closed key result's new score, with the reason it differs from the progress."""

    score = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(1),
        help_text="0.00 to 1.00, at most two decimals.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why the score differs from the progress.")


def _preview_score(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True, **kwargs)


def _preview_colour(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=ScoreColour.choices, read_only=True, allow_null=True, **kwargs)


class ClosePreviewKeyResultSerializer(serializers.ModelSerializer):
    """A key result with the score closing the cycle now would give it (its current score if closed)."""

    score = _preview_score(source="preview_score", help_text="Null when its objective is not scored.")
    score_colour = _preview_colour(source="preview_colour")

    class Meta:
        model = KeyResult
        fields = ["id", "title", "owner", "weight", "progress", "score", "score_colour"]
        read_only_fields = fields


class ClosePreviewObjectiveSerializer(serializers.ModelSerializer):
    """An objective with the score closing the cycle now would give it."""

    closes = serializers.BooleanField(
        read_only=True, help_text="True for an active objective: it closes with the cycle and is scored."
    )
    expected_score = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True)
    score = _preview_score(
        source="preview_score",
        help_text="The weighted mean of its key results' scores; an already closed objective keeps its "
        "score; null for a draft, one in review or one without key results.",
    )
    score_colour = _preview_colour(source="preview_colour")
    key_results = ClosePreviewKeyResultSerializer(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "team",
            "owner",
            "type",
            "state",
            "closes",
            "progress",
            "expected_score",
            "score",
            "score_colour",
            "key_results",
        ]
        read_only_fields = fields


class ClosePreviewSerializer(serializers.Serializer):
    """Every objective and key result of a cycle with the score closing it now would give."""

    cycle = CycleSerializer(read_only=True)
    objectives = ClosePreviewObjectiveSerializer(many=True, read_only=True)

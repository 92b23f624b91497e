"""The stage control offers only what the rules allow, and says what is still needed."""

from __future__ import annotations

from django.urls import reverse

from sigap.cases import actions
from sigap.cases.codes import Stage
from sigap.cases.models import Case
from sigap.cases.tests.factories import create_case, move_to
from sigap.lib.testing import SigapTestCase

ALL = list(Stage.values)


def earlier(stage: str) -> list[str]:
    return list(reversed(ALL[: ALL.index(stage)]))


class StageOptionsTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def options_at(self, stage: str) -> actions.StageOptions:
        # the manager may work every case and approve plans
        case = move_to(self.case, stage, by=self.manager)
        return actions.stage_options(case)

    def test_each_stage_offers_the_next_one_and_going_back(self) -> None:
        first = self.case.stage
        options = actions.stage_options(self.case)
        self.assertEqual(options.forward, ALL[ALL.index(first) + 1])
        self.assertEqual(options.back, earlier(first))
        self.assertEqual(options.blocked, "")

    def test_asesmen_moves_on_only_once_an_assessment_is_saved(self) -> None:
        options = self.options_at(Stage.ASESMEN)
        self.assertIsNone(options.forward)
        self.assertEqual(options.blocked, "Asesmen belum disimpan.")
        self.assertEqual(options.back, earlier(Stage.ASESMEN))
        actions.record_assessment(self.case, {"psychological": "Cemas."}, by=self.case_worker)
        self.assertEqual(actions.stage_options(self.case).forward, Stage.RENCANA)

    def test_rencana_moves_on_only_with_an_approved_plan(self) -> None:
        options = self.options_at(Stage.RENCANA)
        self.assertIsNone(options.forward)
        self.assertEqual(options.blocked, "Rencana intervensi belum disetujui manajer.")

    def test_pemantauan_ends_only_through_an_approved_closure(self) -> None:
        options = self.options_at(Stage.PEMANTAUAN)
        self.assertIsNone(options.forward)
        self.assertIn("penutupan", options.blocked)
        self.assertEqual(options.back, earlier(Stage.PEMANTAUAN))

    def test_every_offered_move_is_one_move_stage_accepts(self) -> None:
        for stage in (Stage.IDENTIFIKASI, Stage.ASESMEN, Stage.PELAKSANAAN):
            with self.subTest(stage=stage):
                case = move_to(self.case, stage, by=self.manager)
                options = actions.stage_options(case)
                if options.forward:
                    with self.subTest(forward=options.forward):
                        moved = actions.move_stage(Case.objects.get(pk=case.pk), options.forward, by=self.manager)
                        self.assertEqual(moved.stage, options.forward)
                        actions.move_stage(moved, stage, by=self.manager, note="Kembali untuk uji.")
                self.case.refresh_from_db()


class StageControlPageTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        self.login(self.case_worker)

    def test_the_control_lists_only_allowed_moves_and_what_is_missing(self) -> None:
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        page = self.client.get(reverse("cases:case_detail", args=[self.case.pk]))
        choices = [value for value, _label in page.context["stage_form"].fields["stage"].choices]
        self.assertEqual(choices, earlier(Stage.ASESMEN))
        self.assertContains(page, "Asesmen belum disimpan.")
        self.assertContains(page, "Kembali ke")
        self.assertNotContains(page, f'value="{Stage.PELAKSANAAN}"')

    def test_posting_a_move_that_is_not_offered_changes_nothing(self) -> None:
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        response = self.client.post(reverse("cases:move_stage", args=[self.case.pk]), {"stage": Stage.RENCANA},
                                    follow=True)
        self.assertContains(response, "Asesmen belum disimpan.")
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.ASESMEN)

    def test_assessment_and_plan_forms_are_read_only_with_the_reason_before_their_stage(self) -> None:
        assessment = self.client.get(reverse("cases:assessment", args=[self.case.pk]))
        self.assertContains(assessment, "Pindahkan kasus ke tahap asesmen lebih dulu.")
        self.assertContains(assessment, '<fieldset class="plain" disabled>', html=False)
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        plan = self.client.get(reverse("cases:plan", args=[self.case.pk]))
        self.assertContains(plan, "Asesmen belum disimpan.")
        self.assertContains(plan, '<fieldset class="plain" disabled>', html=False)
        # at its stage the form is live
        assessment = self.client.get(reverse("cases:assessment", args=[self.case.pk]))
        self.assertNotContains(assessment, "disabled>", html=False)
        move_to(self.case, Stage.RENCANA, by=self.case_worker)
        plan = self.client.get(reverse("cases:plan", args=[self.case.pk]))
        self.assertNotContains(plan, '<fieldset class="plain" disabled>', html=False)

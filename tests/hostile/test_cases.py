"""The catalogue of issue 23's hostile-input cases and the tests that hold each one.

Most cases are tested in this folder; a few live beside the code they exercise (the importer, the store contract,
the pipeline). This file names every case once and fails if a test it names is renamed or removed, so the list in
the README's reliability section cannot silently lose a guarantee.
"""

from __future__ import annotations

import importlib

import pytest

CASES: dict[str, list[str]] = {
    "1 linear cost (parse, sentences, sourcing)": [
        "tests.hostile.test_long_text::test_quadratic_cost_paragraph_component_sets_the_same_boundaries_in_one_pass",
        "tests.hostile.test_long_text::test_quadratic_cost_pieced_parse_gives_the_sentences_of_a_whole_parse",
        "tests.unit.test_ranges::test_overlapping_matches_a_full_scan_on_random_ranges",
    ],
    "2 budgets stop work, readiness, bounded shutdown": [
        "tests.hostile.test_service_budget::test_work_past_the_budget_stops_instead_of_running_on_after_the_503",
        "tests.hostile.test_service_budget::test_a_short_request_after_a_budget_overrun_is_served_at_once",
        "tests.hostile.test_service_budget::test_readiness_says_503_while_every_thread_and_queue_place_is_taken",
        "tests.hostile.test_service_budget::test_shutdown_stops_checkpointed_work_at_once",
        "tests.hostile.test_service_budget::test_shutdown_is_bounded_by_the_grace_even_when_a_step_has_no_checkpoint",
    ],
    "3 one deadline per fetch": [
        "tests.hostile.test_fetch_deadline::test_slow_drip_server_is_cut_off_at_the_total_fetch_deadline",
        "tests.hostile.test_fetch_deadline::test_slow_name_resolution_is_cut_off_at_the_total_fetch_deadline",
        "tests.hostile.test_fetch_deadline::test_a_fetch_inside_a_service_budget_ends_when_the_budget_does",
        "tests.hostile.test_service_budget::test_a_client_dripping_its_body_is_cut_off_with_408",
    ],
    "4 lone surrogate: an error per item": [
        "tests.hostile.test_batch_items::test_jsonl_lone_surrogate_is_an_error_record_and_resume_works",
        "tests.hostile.test_errors_and_args::test_service_lone_surrogate_is_a_422_not_a_500",
    ],
    "5 an analyzer failure keeps the other layers": [
        "tests.unit.test_sourcing_trust::test_punctuation_subject_is_no_source_and_does_not_crash",
        "tests.hostile.test_errors_and_args::test_a_layer_failing_the_door_check_is_recorded_and_the_others_kept",
    ],
    "6 killed workers, orphaned workers, two runs in one folder": [
        "tests.hostile.test_batch_faults::test_killed_worker_restarts_pool_and_records_only_the_poison_document",
        "tests.hostile.test_batch_faults::test_workers_exit_when_the_main_process_is_killed",
        "tests.hostile.test_batch_faults::test_two_runs_into_the_same_out_folder_are_refused",
    ],
    "7 JSON nested 100,000 deep, oversized records": [
        "tests.unit.test_importers::test_deeply_nested_json_array_stops_with_a_clear_error",
        "tests.unit.test_importers::test_deeply_nested_jsonl_line_is_skipped_not_a_crash",
        "tests.unit.test_importers::test_oversized_record_is_skipped",
    ],
    "8 a kill during an index update is repaired by re-running": [
        "tests.contract.test_store_contract::test_import_killed_anywhere_is_repaired_by_running_it_again",
    ],
    "9 charsets, devices, FIFOs, broken CSV quotes, symlinks, deep HTML, empty input": [
        "tests.hostile.test_ingest_hostile::test_declared_charset_that_is_not_a_text_encoding_is_a_clear_error",
        "tests.hostile.test_ingest_hostile::test_dev_zero_is_read_with_a_cap",
        "tests.hostile.test_ingest_hostile::test_fifo_is_read_with_a_cap",
        "tests.hostile.test_batch_items::test_csv_unterminated_quote_is_one_error_not_merged_rows",
        "tests.hostile.test_batch_items::test_folder_batch_does_not_follow_symlinks_out_of_the_folder",
        "tests.hostile.test_ingest_hostile::test_article_nested_deeper_than_256_elements_is_extracted",
        "tests.hostile.test_batch_faults::test_empty_jsonl_input_says_no_documents",
    ],
    "10 http(s) links only, Markdown escaped, terminal controls stripped": [
        "tests.hostile.test_report_content::test_html_face_links_only_http_and_escapes_the_article",
        "tests.hostile.test_report_content::test_markdown_face_links_only_http_and_escapes_raw_html",
        "tests.hostile.test_report_content::test_terminal_face_strips_control_sequences",
        "tests.unit.test_importers::test_review_urls_must_be_http",
    ],
    "11 keys and a cross-site check on the page's forms": [
        "tests.hostile.test_page_auth::test_every_form_endpoint_refuses_work_without_a_key",
        "tests.hostile.test_page_auth::test_the_page_asks_for_the_key_then_keeps_a_session",
        "tests.hostile.test_page_auth::test_cross_site_form_posts_are_refused",
    ],
    "12 packaging, usage errors, no internals in answers, telemetry off": [
        "tests.hostile.test_errors_and_args::test_lxml_html_clean_is_a_declared_dependency",
        "tests.hostile.test_errors_and_args::test_bad_arguments_and_outputs_are_one_line_usage_errors",
        "tests.hostile.test_errors_and_args::test_service_faults_never_echo_internals",
        "tests.hostile.test_errors_and_args::test_onnxruntime_telemetry_is_turned_off_before_any_session",
    ],
    "target: 10 MB inputs under a 2 GB address-space cap": [
        "tests.hostile.test_memory_cap::test_ten_megabyte_inputs_stay_under_a_two_gigabyte_cap",
        "tests.hostile.test_memory_cap::test_a_text_at_the_character_cap_is_analysed_whole_under_the_cap",
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_names_tests_that_exist(case: str) -> None:
    """Each catalogued case is held by at least one test, and every test it names is still there."""
    assert CASES[case]
    for node in CASES[case]:
        module_name, function = node.split("::")
        module = importlib.import_module(module_name)  # a module needing an absent extra skips itself here
        assert callable(getattr(module, function, None)), f"{case}: {node} is gone; update the catalogue"

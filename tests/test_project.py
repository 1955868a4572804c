"""Loading a folder: the build's load_project and the checker's check_folder agree."""

from helpers import MEETING_MD

from safety_bulletins.site_build.rendering import Judge
from safety_bulletins.sources.project import MAX_BULLETIN_BYTES, PARALLEL_FROM, check_folder, load_project


def test_check_folder_in_parallel_finds_what_load_project_finds(bulletins_dir):
    plain = MEETING_MD.replace("    id: CIG-2021-05-2\n", "")  # ids come from the file names
    files = {f"2021/b{n:04}.md": plain for n in range(PARALLEL_FROM)}
    files["2021/b0001.md"] = plain.replace("units: [all]", "units: [nowhere]")
    files["2021/dup.md"] = MEETING_MD.replace("id: CIG-2021-05-2", "id: b0002-1")
    files["2021/draft.md"] = plain.replace("type: minutes", "type: minutes\ndraft: true")
    files["2021/links.md"] = plain + "\nSee [the draft](draft.md).\n"
    files["2021/other.MD"] = plain
    folder = bulletins_dir(files)

    project = load_project(folder, judge=Judge(workers=0))
    report = check_folder(folder, workers=2, judge=Judge(workers=0))

    def keyed(problems):
        return [(p.path, p.line, p.severity, p.message, p.hint) for p in problems]

    assert keyed(report.problems) == keyed(project.problems)
    messages = " | ".join(p.message for p in report.errors)
    assert all(part in messages for part in ("nowhere", "also used at", "which is a draft", "must end in '.md'")), messages
    assert report.bulletins == len(project.bulletins) == len(files) - 2  # b0001 and other.MD are not bulletins
    assert report.directives == sum(len(b.directives) for b in project.bulletins)


def test_a_bulletin_of_megabytes_is_refused_before_it_is_read(bulletins_dir):
    head = MEETING_MD.split("---\n", 2)
    huge = "---\n" + head[1] + "---\n" + "A line of an oversized bulletin.\n" * (MAX_BULLETIN_BYTES // 30)
    root = bulletins_dir({"2021/2021-05-25-huge.md": huge})
    (problem,) = load_project(root).problems
    assert (problem.path.name, problem.line) == ("2021-05-25-huge.md", 1)
    assert problem.message.startswith("the file is 4.") and "at most 4 MB" in problem.message

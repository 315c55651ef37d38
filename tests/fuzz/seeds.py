"""Valid files the fuzz tests start from: the repository's examples and fixtures, and a few small tables."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


INSTITUTIONS = text(FIXTURES / "mini_institutions.csv")
SUBMISSIONS = text(FIXTURES / "mini_submissions.csv")
METHODOLOGY = text(FIXTURES / "mini.yaml")
UNCERTAINTY = text(EXAMPLES / "uncertainty.yaml")
QUERIES = text(EXAMPLES / "sdg" / "queries.csv")
PUBLICATIONS = text(EXAMPLES / "sdg" / "publications.csv")
GROUPS = "group,institution_id,name,country,aliases\nIMT,A,,,\nIMT,,Gamma College,FR,\nIMT,,Mines Alès,France,Alès\n"
ALIASES = "alias,institution_id\nAlpha University Paris,fr-alpha\nBeta Institute,de-beta\n"
CORRECTIONS = "edition,name,field,value,country\n2023,Beta,country,Portugal,Spain\n,Gamma,name,Gamma School,\n"
PUBLISHED = (
    "Rank,Name,Country,Year,Overall,SDG 17,SDG 3,SDG 5\n"
    '1,"Alpha, Paris",France,2023,90.5,80.1,91.0,70.2\n'
    "2,Beta,Spain,2023,85.0,70.0,60.5,55.5\n"
    "101–200,Gamma,Italy,2023,77.5–85.2,60.0–70.0,50.0,40.0\n"
    "=3,Delta,,2023,80.0,,,\n"
)
SCRAPE = (
    "Rank,University Name,Location,sdg-score-multi__number,sdg-score-multi__value,"
    "sdg-score-multi__number 2,sdg-score-multi__value 2,sdg-score-multi__value 3,scores\n"
    "1,Alpha,France,5,80.3,12,93.4,98.8,99.4\n"
    "2,Beta,Spain,8,48.4,1,60.3–68.4,40.0,90.0\n"
)
PUBLISHED_JSON = (
    '{"records": [\n'
    '{"rank": 1, "name": "Alpha", "country": "FR", "year": 2022, "overall": 90, "SDG17": 80, "SDG3": 91},\n'
    '{"rank": "2+", "name": "Beta", "country": "DE", "year": 2022, "overall": "10.0-50.0", "SDG17": "1-2"}\n'
    "]}\n"
)
THE_WORKBOOK = [
    ["Rank", "Year", "University", "Country", "Best scores by rank", "Overall"],
    ["1", "2021", "Alpha University", "France", "5 80.3  12 93.4  3 91.0  17 98.8", "90.1"],
    ["=2", "2021", "Beta", "Spain", "8 48.4  1 60.3  4 70.0  17 40.0", "80.0"],
    ["101–200", "2021", "GammaItaly", "", "7 11.1  16 20.0  5 30.0  17 50.0", "70.0–75.0"],
]
AURORA = """<?xml version="1.0" encoding="UTF-8"?>
<aqd:query xmlns:aqd="http://aurora-network.global/queries/namespace/"
           xmlns:dc="http://dublincore.org/documents/dcmi-namespace/">
  <dc:identifier type="sdg">SDG 3</dc:identifier>
  <aqd:query-definition>
    <aqd:subquery-identifier>1</aqd:subquery-identifier>
    <aqd:query-line field="TITLE-ABS-KEY">("malaria" OR "tuberculosis") AND "vaccin*"</aqd:query-line>
    <aqd:query-line field="TITLE">"maternal mortality"</aqd:query-line>
  </aqd:query-definition>
</aqd:query>
"""
LMIC = "# a list of one's own\niso2,name\nKE,Kenya\nIN,India\nBD,Bangladesh\n"
BENCHMARK = (
    "id,text,sdg,label\n"
    "a1,Cash transfers reduce poverty in rural households,1,True\n"
    "a1,Cash transfers reduce poverty in rural households,3,False\n"
    "b2,Malaria vaccines and maternal mortality,3,True\n"
    "c3,Wind power and solar energy prices,7,True\n"
)
FIGURES = "model,sdg,n,accuracy,precision,recall,f1,tp,fp,tn,fn\nother,Average,3,80.0,70.0,90.0,0.8,1,0,1,0\n"
PREDICTIONS = 'id,predicted_sdgs\na1,"1, 3"\nb2,3\nc3,\n'

"""The reference list of UK law that information sharing in IOM relies on.

A protocol names its legal gateways from this list (seeded into protocols.LegalGateway by migration),
so readers see the same wording for the same law in every protocol. The summaries are plain-English
reminders, not legal advice: each partnership's lawyers confirm the gateways a protocol relies on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gateway:
    code: str
    title: str
    kind: str  # GatewayKind value
    summary: str
    legislation_url: str


# GatewayKind values (kept as plain strings here so the migration can seed without importing models).
POWER = "power"
LAWFUL_BASIS = "lawful_basis"
SPECIAL_CATEGORY = "special_category"
DUTY = "duty"
PRINCIPLE = "principle"

LEGAL_GATEWAYS: list[Gateway] = [
    Gateway(
        "cda-1998-s115",
        "Crime and Disorder Act 1998, section 115",
        POWER,
        "Any person may disclose information to a relevant authority (police, probation, local "
        "authorities, health bodies) where necessary or expedient for the purposes of the Act, such "
        "as reducing crime and disorder. A power, not a duty: data protection law still applies.",
        "https://www.legislation.gov.uk/ukpga/1998/37/section/115",
    ),
    Gateway(
        "cda-1998-s17",
        "Crime and Disorder Act 1998, section 17",
        DUTY,
        "Councils, police and other authorities must consider the effect of what they do on crime and "
        "disorder, reoffending and substance misuse, and do all they reasonably can to prevent them.",
        "https://www.legislation.gov.uk/ukpga/1998/37/section/17",
    ),
    Gateway(
        "cja-2003-s325",
        "Criminal Justice Act 2003, section 325",
        DUTY,
        "The responsible authority (police, probation, prisons) must co-operate with duty-to-co-operate "
        "agencies under MAPPA to assess and manage the risks posed by relevant offenders; co-operation "
        "may include exchanging information.",
        "https://www.legislation.gov.uk/ukpga/2003/44/section/325",
    ),
    Gateway(
        "oma-2007-s14",
        "Offender Management Act 2007, section 14",
        POWER,
        "Information may be disclosed to and by providers of probation services for purposes connected "
        "with the management of offenders.",
        "https://www.legislation.gov.uk/ukpga/2007/21/section/14",
    ),
    Gateway(
        "dpa-2018-part-3",
        "Data Protection Act 2018, Part 3 (law enforcement processing)",
        LAWFUL_BASIS,
        "Competent authorities process personal data for law enforcement purposes (preventing, "
        "investigating and prosecuting crime, executing sentences) under Part 3; sensitive processing "
        "needs consent or strict necessity and a Schedule 8 condition.",
        "https://www.legislation.gov.uk/ukpga/2018/12/part/3",
    ),
    Gateway(
        "uk-gdpr-art-6-1-c",
        "UK GDPR Article 6(1)(c): legal obligation",
        LAWFUL_BASIS,
        "Processing is necessary to comply with a legal obligation the controller is subject to.",
        "https://www.legislation.gov.uk/eur/2016/679/article/6",
    ),
    Gateway(
        "uk-gdpr-art-6-1-e",
        "UK GDPR Article 6(1)(e): public task",
        LAWFUL_BASIS,
        "Processing is necessary for a task carried out in the public interest or in the exercise of "
        "official authority vested in the controller.",
        "https://www.legislation.gov.uk/eur/2016/679/article/6",
    ),
    Gateway(
        "uk-gdpr-art-6-1-f",
        "UK GDPR Article 6(1)(f): legitimate interests",
        LAWFUL_BASIS,
        "Processing is necessary for the legitimate interests of the controller or a third party, "
        "balanced against the person's interests; not available to public authorities for their tasks. "
        "The usual basis for a voluntary organisation.",
        "https://www.legislation.gov.uk/eur/2016/679/article/6",
    ),
    Gateway(
        "uk-gdpr-art-6-1-a",
        "UK GDPR Article 6(1)(a): consent",
        LAWFUL_BASIS,
        "The person has given clear, freely given consent for a specific purpose, and may withdraw it at "
        "any time: sharing stops when it is withdrawn.",
        "https://www.legislation.gov.uk/eur/2016/679/article/6",
    ),
    Gateway(
        "uk-gdpr-art-6-1-d",
        "UK GDPR Article 6(1)(d): vital interests",
        LAWFUL_BASIS,
        "Processing is necessary to protect someone's life.",
        "https://www.legislation.gov.uk/eur/2016/679/article/6",
    ),
    Gateway(
        "uk-gdpr-art-9-2-g",
        "UK GDPR Article 9(2)(g) with DPA 2018 Schedule 1 Part 2: substantial public interest",
        SPECIAL_CATEGORY,
        "Special category data (health, for example) may be processed for reasons of substantial public "
        "interest under a Schedule 1 condition, such as preventing or detecting unlawful acts (para 10) "
        "or safeguarding children and individuals at risk (para 18), with an appropriate policy document.",
        "https://www.legislation.gov.uk/ukpga/2018/12/schedule/1/part/2",
    ),
    Gateway(
        "uk-gdpr-art-9-2-h",
        "UK GDPR Article 9(2)(h): health or social care",
        SPECIAL_CATEGORY,
        "Special category data may be processed for health or social care, by or under the "
        "responsibility of a professional bound by a duty of confidentiality (DPA 2018 Schedule 1 para 2).",
        "https://www.legislation.gov.uk/eur/2016/679/article/9",
    ),
    Gateway(
        "uk-gdpr-art-9-2-a",
        "UK GDPR Article 9(2)(a): explicit consent",
        SPECIAL_CATEGORY,
        "The person has given explicit consent to the processing of their special category data for "
        "one or more specified purposes.",
        "https://www.legislation.gov.uk/eur/2016/679/article/9",
    ),
    Gateway(
        "uk-gdpr-art-10",
        "UK GDPR Article 10 with DPA 2018 Schedule 1: criminal offence data",
        SPECIAL_CATEGORY,
        "Criminal offence data may be processed only under official authority or a Schedule 1 condition "
        "(for example Part 3 paragraphs 10, 18 or 29); voluntary organisations need such a condition.",
        "https://www.legislation.gov.uk/eur/2016/679/article/10",
    ),
    Gateway(
        "hra-1998-art-8",
        "Human Rights Act 1998, Schedule 1 Article 8: right to respect for private and family life",
        PRINCIPLE,
        "Interfering with private life by sharing must be in accordance with the law, for a legitimate "
        "aim (preventing crime, protecting others) and proportionate: share no more than is needed.",
        "https://www.legislation.gov.uk/ukpga/1998/42/schedule/1",
    ),
    Gateway(
        "common-law-confidentiality",
        "Common-law duty of confidentiality",
        DUTY,
        "Information given in confidence may be shared only with consent, where the law requires it, or "
        "where there is an overriding public interest (such as preventing serious harm).",
        "https://www.gov.uk/government/publications/confidentiality-nhs-code-of-practice",
    ),
    Gateway(
        "caldicott-principles",
        "Caldicott principles (health and care information)",
        PRINCIPLE,
        "Justify the purpose; use confidential information only when necessary and the minimum needed; "
        "access on a strict need-to-know basis; everyone understands their responsibilities; comply "
        "with the law; the duty to share can be as important as the duty to protect; inform people.",
        "https://www.gov.uk/government/publications/the-caldicott-principles",
    ),
]

GATEWAY_CODES = [gateway.code for gateway in LEGAL_GATEWAYS]
